#pragma once
// EL_CHECK: always-on invariant check that aborts. Use only for invariants whose violation would
// corrupt data; never for network input, file contents or configuration (those get a Status).
#include <cstdio>
#include <cstdlib>

#define EL_CHECK(cond)                                                                  \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

#ifdef NDEBUG
#define EL_DCHECK(cond) \
  do {                  \
  } while (0)
#else
#define EL_DCHECK(cond) EL_CHECK(cond)
#endif
