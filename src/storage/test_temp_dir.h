#pragma once
// Test-only: a fresh directory under $TMPDIR, else /dev/shm (tmpfs: fdatasync is free, so tests stay
// fast on a busy disk; crash durability cannot be observed in-process anyway), else /tmp. Removed
// with its contents on destruction.
#include <stdlib.h>

#include <cstdlib>
#include <string>

#include "base/check.h"
#include "io/dir.h"

namespace el::storage::testing {

class TempDir {
 public:
  TempDir() {
    const char* env = std::getenv("TMPDIR");
    std::string base = env && *env ? env : io::Exists("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string tmpl = base + "/el_storage_XXXXXX";
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
