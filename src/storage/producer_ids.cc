#include "storage/producer_ids.h"

#include <charconv>
#include <memory>
#include <vector>

#include "io/dir.h"
#include "io/file.h"

namespace el::storage {
namespace {

constexpr char kPrefix[] = "eventlake producer ids v1 ";

}  // namespace

Result<std::unique_ptr<ProducerIdAllocator>> ProducerIdAllocator::Open(std::string data_dir) {
  std::string path = data_dir + "/.producer_ids";
  int64_t next = 0;
  auto file = io::File::Open(path, io::File::Mode::kReadOnly);
  if (file.ok()) {
    std::vector<uint8_t> buf(128);
    EL_ASSIGN_OR_RETURN(size_t got, (*file)->ReadAt(FilePos(0), buf));
    std::string text(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got));
    std::string prefix = kPrefix;
    auto [end, ec] = text.starts_with(prefix)
                         ? std::from_chars(text.data() + prefix.size(), text.data() + text.size(), next)
                         : std::from_chars_result{text.data(), std::errc::invalid_argument};
    if (ec != std::errc() || next < 0 || end == text.data() + text.size() || *end != '\n') {
      return DataLoss(path + ": not a producer id file");
    }
  } else if (file.status().code() != StatusCode::kNotFound) {
    return file.status();
  }
  return std::unique_ptr<ProducerIdAllocator>(new ProducerIdAllocator(std::move(path), next));
}

Result<int64_t> ProducerIdAllocator::Allocate() {
  std::lock_guard lock(mu_);
  if (next_ >= reserved_end_) {
    int64_t end = next_ + kBlockSize;
    EL_RETURN_IF_ERROR(io::WriteFileDurably(path_, kPrefix + std::to_string(end) + "\n"));
    reserved_end_ = end;
  }
  return next_++;
}

}  // namespace el::storage
