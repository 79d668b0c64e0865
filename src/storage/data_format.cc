#include "storage/data_format.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "io/dir.h"
#include "io/file.h"

namespace el::storage {
namespace {

constexpr std::string_view kPrefix = "eventlake-log-format ";
constexpr uint64_t kMaxFileBytes = 4096;

Result<std::string> ReadSmallFile(const std::string& path) {
  EL_ASSIGN_OR_RETURN(auto file, io::File::Open(path, io::File::Mode::kReadOnly));
  EL_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  if (size > kMaxFileBytes) return InvalidArgument(path + " is not a format file (too large)");
  std::vector<uint8_t> buf(size);
  EL_ASSIGN_OR_RETURN(size_t got, file->ReadAt(FilePos(0), buf));
  return std::string(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got));
}

}  // namespace

Result<int> ReadLogFormat(const std::string& data_dir) {
  std::string path = data_dir + "/" + kLogFormatFile;
  if (!io::Exists(path)) return 1;
  EL_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  std::string_view line(text);
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  int version = 0;
  std::string_view number = line.substr(std::min(line.size(), kPrefix.size()));
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), version);
  if (!line.starts_with(kPrefix) || ec != std::errc() || end != number.data() + number.size() ||
      version < 1) {
    return InvalidArgument(path + " does not hold a log format version (expected '" +
                           std::string(kPrefix) + "<N>'): not an eventlake data directory?");
  }
  if (version > kLogFormatVersion) {
    return InvalidArgument("data directory " + data_dir + " has log format version " +
                           std::to_string(version) + ", newer than this eventlake reads (up to " +
                           std::to_string(kLogFormatVersion) +
                           "): it was written by a newer eventlake; run that version or newer");
  }
  return version;
}

Status CheckAndRecordLogFormat(const std::string& data_dir) {
  // Every version up to kLogFormatVersion is read as it is.
  EL_RETURN_IF_ERROR(ReadLogFormat(data_dir).status());
  std::string path = data_dir + "/" + kLogFormatFile;
  if (io::Exists(path)) return Status::Ok();
  return io::WriteFileDurably(path,
                              std::string(kPrefix) + std::to_string(kLogFormatVersion) + "\n");
}

}  // namespace el::storage
