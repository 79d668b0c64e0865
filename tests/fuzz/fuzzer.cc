// libFuzzer driver, compiled once per target with EL_FUZZ_ENTRY naming the entry (entries.h).
// An entry reporting a broken invariant aborts, which libFuzzer records as a crash.
#include <cstdio>
#include <cstdlib>

#include "base/log.h"
#include "fuzz/entries.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // recovery logs every truncation; keep the fuzzer fast
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  el::Status s = el::fuzz::EL_FUZZ_ENTRY(el::fuzz::Input(data, size));
  if (!s.ok()) {
    std::fprintf(stderr, "invariant broken: %s\n", s.ToString().c_str());
    std::abort();
  }
  return 0;
}
