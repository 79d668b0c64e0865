#pragma once
// ProducerIdAllocator: hands out idempotent-producer ids (InitProducerId) that stay unique across
// broker restarts. The file `<data_dir>/.producer_ids` holds the first id of the next unreserved
// block; ids are reserved kBlockSize at a time by rewriting it durably before any id of the block is
// given out, so a crash can skip ids but never repeat one.
// Threading: thread-safe (one mutex). Allocate may block on an fsync once per block.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"

namespace el::storage {

class ProducerIdAllocator {
 public:
  static constexpr int64_t kBlockSize = 1000;

  // Reads the file (absent: ids start at 0). Errors: IOError, DataLoss for a file without a valid
  // "eventlake producer ids v1 <next>" line.
  static Result<std::unique_ptr<ProducerIdAllocator>> Open(std::string data_dir);
  Result<int64_t> Allocate();

 private:
  ProducerIdAllocator(std::string path, int64_t reserved_end)
      : path_(std::move(path)), next_(reserved_end), reserved_end_(reserved_end) {}
  const std::string path_;
  std::mutex mu_;
  int64_t next_;          // GUARDED_BY(mu_)
  int64_t reserved_end_;  // GUARDED_BY(mu_): the value in the file
};

}  // namespace el::storage
