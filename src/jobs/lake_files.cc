#include "jobs/lake_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <set>

#include "base/log.h"

namespace el::jobs {
namespace fs = std::filesystem;

namespace {

bool Hidden(const std::string& name) { return name.empty() || name[0] == '_' || name[0] == '.'; }

bool ParseInt(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out >= 0;
}

Status FsError(std::string_view what, const fs::path& path, const std::error_code& ec) {
  return IOError(std::string(what) + " " + path.string() + ": " + ec.message());
}

}  // namespace

std::string SanitizeName(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += keep ? static_cast<char>(c) : '_';
  }
  return out.empty() ? "empty" : out;
}

std::string DataFileName(std::string_view topic, int32_t partition, int64_t first, int64_t last) {
  return std::string(topic) + "+" + std::to_string(partition) + "+" + std::to_string(first) + "-" +
         std::to_string(last) + ".parquet";
}

std::optional<DataFileRange> ParseDataFileName(std::string_view topic, std::string_view name) {
  constexpr std::string_view kExt = ".parquet";
  if (name.size() <= topic.size() + 1 + kExt.size()) return std::nullopt;
  if (name.substr(0, topic.size()) != topic || name[topic.size()] != '+') return std::nullopt;
  if (name.substr(name.size() - kExt.size()) != kExt) return std::nullopt;
  std::string_view rest = name.substr(topic.size() + 1, name.size() - topic.size() - 1 - kExt.size());
  size_t plus = rest.find('+');
  if (plus == std::string_view::npos) return std::nullopt;
  std::string_view range = rest.substr(plus + 1);
  size_t dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  int64_t partition = 0;
  DataFileRange out;
  if (!ParseInt(rest.substr(0, plus), partition) || partition > INT32_MAX ||
      !ParseInt(range.substr(0, dash), out.first) || !ParseInt(range.substr(dash + 1), out.last) ||
      out.first > out.last) {
    return std::nullopt;
  }
  out.partition = static_cast<int32_t>(partition);
  return out;
}

std::vector<fs::path> ListDataFiles(const fs::path& table_dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(table_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (Hidden(name) || !it->is_regular_file() || it->path().extension() != ".parquet") continue;
    out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ListTables(const fs::path& lake_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(lake_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!Hidden(name) && it->is_directory()) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status MakeDirs(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return FsError("cannot create", dir, ec);
  return Status::Ok();
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open " + dir.string(), errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoError("fsync " + dir.string(), err);
  return Status::Ok();
}

Result<int64_t> PublishStaged(const fs::path& staging_dir, bool replace) {
  fs::path table_dir = staging_dir.parent_path();
  std::set<std::string> moved;
  std::error_code ec;
  for (const fs::path& file : ListDataFiles(staging_dir)) {
    fs::rename(file, table_dir / file.filename(), ec);
    if (ec) return FsError("cannot publish", file, ec);
    moved.insert(file.filename().string());
  }
  if (replace) {
    for (const fs::path& old : ListDataFiles(table_dir)) {
      if (moved.count(old.filename().string()) != 0) continue;
      fs::remove(old, ec);
      if (ec) return FsError("cannot remove", old, ec);
    }
  }
  fs::path success = table_dir / "_SUCCESS";
  int fd = ::open(success.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("create " + success.string(), errno);
  ::close(fd);
  fs::remove_all(staging_dir, ec);
  if (ec) return FsError("cannot remove", staging_dir, ec);
  EL_RETURN_IF_ERROR(SyncDir(table_dir));
  return static_cast<int64_t>(moved.size());
}

}  // namespace el::jobs

namespace el::jobs {

Result<std::map<int32_t, int64_t>> RecoverTopic(const fs::path& lake_dir, const std::string& topic) {
  std::error_code ec;
  fs::remove_all(lake_dir / "_staging" / topic, ec);
  if (ec) return IOError("cannot clean " + (lake_dir / "_staging" / topic).string() + ": " + ec.message());
  std::map<int32_t, int64_t> next;
  for (const fs::path& file : ListDataFiles(lake_dir / topic)) {
    auto range = ParseDataFileName(topic, file.filename().string());
    if (!range) continue;
    int64_t& n = next[range->partition];
    n = std::max(n, range->last + 1);
  }
  std::string staging_prefix = "_staging-" + topic + "-";
  for (fs::directory_iterator t(lake_dir, ec), end; !ec && t != end; t.increment(ec)) {
    if (!t->is_directory()) continue;
    std::error_code ec2;
    for (fs::directory_iterator f(t->path(), ec2); !ec2 && f != end; f.increment(ec2)) {
      std::string name = f->path().filename().string();
      if (name.rfind(staging_prefix, 0) == 0) {
        fs::remove_all(f->path(), ec2);
        if (ec2) return IOError("cannot clean " + f->path().string() + ": " + ec2.message());
        continue;
      }
      auto range = ParseDataFileName(topic, name);
      if (!range || t->path().filename() == topic) continue;
      auto it = next.find(range->partition);
      if (it == next.end() || range->first >= it->second) {
        spdlog::warn("removing {}: its batch was never committed to table {}", f->path().string(), topic);
        fs::remove(f->path(), ec2);
        if (ec2) return IOError("cannot remove " + f->path().string() + ": " + ec2.message());
      }
    }
  }
  return next;
}

}  // namespace el::jobs
