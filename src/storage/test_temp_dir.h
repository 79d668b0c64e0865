#pragma once
// Test-only: a fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "base/check.h"
#include "io/dir.h"

namespace el::storage::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/el_storage_XXXXXX";
    EL_CHECK(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { (void)io::RemoveAll(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace el::storage::testing
