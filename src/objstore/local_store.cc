#include "objstore/local_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "io/dir.h"
#include "io/file.h"

namespace el::objstore {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempMarker = ".objstore-tmp-";
constexpr std::string_view kUploadMarker = ".objstore-tmp-upload-";
// Serializes conditional puts of every process using the directory (never listed: kTempMarker).
constexpr char kLockName[] = ".objstore-tmp-lock";

// The local ETag: modification time (ns) and size, in hex; "" when there is no such file.
std::string LocalEtag(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return "";
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%llx%09lx-%llx", static_cast<unsigned long long>(st.st_mtim.tv_sec),
      static_cast<unsigned long>(st.st_mtim.tv_nsec), static_cast<unsigned long long>(st.st_size));
  return buf;
}

// An exclusive flock held while it lives (blocking: conditional puts are short).
class DirLock {
 public:
  static Result<std::unique_ptr<DirLock>> Take(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoError("open " + path.string(), errno);
    if (::flock(fd, LOCK_EX) != 0) {
      int err = errno;
      ::close(fd);
      return ErrnoError("flock " + path.string(), err);
    }
    return std::unique_ptr<DirLock>(new DirLock(fd));
  }
  ~DirLock() { ::close(fd_); }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_;
};

Status FsError(std::string_view what, const fs::path& p, const std::error_code& ec) {
  return IOError(std::string(what) + " " + p.string() + ": " + ec.message());
}

Status WriteWhole(const fs::path& path, std::string_view data) {
  EL_ASSIGN_OR_RETURN(auto file, io::File::Open(path.string(), io::File::Mode::kCreate));
  EL_RETURN_IF_ERROR(file->Append({reinterpret_cast<const uint8_t*>(data.data()), data.size()}));
  return file->Sync();
}

Result<std::string> ReadRange(const fs::path& path, uint64_t offset, uint64_t length, bool whole) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return NotFound("no object " + path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) return IOError("cannot open " + path.string());
  in.seekg(0, std::ios::end);
  uint64_t size = static_cast<uint64_t>(in.tellg());
  if (whole) {
    offset = 0;
    length = size;
  } else if (offset >= size && size > 0) {
    return OutOfRange("range starts at " + std::to_string(offset) + ", past the end of " +
                      path.string() + " (" + std::to_string(size) + " bytes)");
  }
  uint64_t n = offset >= size ? 0 : std::min<uint64_t>(length, size - offset);
  std::string out(n, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out.data(), static_cast<std::streamsize>(n));
  if (!in && n > 0) return IOError("cannot read " + path.string());
  return out;
}

}  // namespace

Status CheckKey(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("bad object key '" + std::string(key) + "': " + std::string(why));
  };
  if (key.empty()) return bad("empty");
  if (key.front() == '/') return bad("starts with '/'");
  if (key.find('\0') != std::string_view::npos) return bad("holds a NUL byte");
  for (size_t start = 0; start <= key.size();) {
    size_t end = std::min(key.find('/', start), key.size());
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) return bad("empty path segment");
    if (seg == "." || seg == "..") return bad("'.' or '..' segment");
    start = end + 1;
  }
  return Status::Ok();
}

LocalStore::LocalStore(fs::path root) : root_(std::move(root)) {}

Result<fs::path> LocalStore::PathOf(std::string_view key) const {
  EL_RETURN_IF_ERROR(CheckKey(key));
  return root_ / fs::path(std::string(key));
}

fs::path LocalStore::TempPath(const fs::path& target) {
  return target.parent_path() / ("." + target.filename().string() + std::string(kTempMarker) +
                                 std::to_string(::getpid()) + "-" + std::to_string(temp_seq_++));
}

Status LocalStore::Put(std::string_view key, std::string_view data) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  EL_RETURN_IF_ERROR(io::CreateDirs(path.parent_path().string()));
  fs::path tmp = TempPath(path);
  Status s = WriteWhole(tmp, data);
  if (s.ok()) s = io::Rename(tmp.string(), path.string());
  if (!s.ok()) {
    (void)io::RemoveFile(tmp.string());
    return s;
  }
  return io::SyncDir(path.parent_path().string());
}

Result<std::string> LocalStore::PutConditional(std::string_view key, std::string_view data,
                                               const Precondition& pre) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  EL_RETURN_IF_ERROR(io::CreateDirs(root_.string()));
  EL_ASSIGN_OR_RETURN(auto lock, DirLock::Take(root_ / kLockName));
  std::string current = LocalEtag(path);
  if (pre.if_absent && !current.empty())
    return FailedPrecondition("object " + path.string() + " exists");
  if (!pre.if_match.empty() && current != pre.if_match)
    return FailedPrecondition("object " + path.string() + " changed (ETag " +
                              (current.empty() ? "none" : current) + ", expected " + pre.if_match +
                              ")");
  EL_RETURN_IF_ERROR(Put(key, data));
  return LocalEtag(path);
}

Status LocalStore::CopySynced(const fs::path& file, const fs::path& tmp) {
  std::error_code ec;
  fs::copy_file(file, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) return FsError("cannot copy to", tmp, ec);
  int fd = ::open(tmp.c_str(), O_RDONLY);
  if (fd >= 0) {
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) {
      (void)io::RemoveFile(tmp.string());
      return ErrnoError("fsync " + tmp.string(), err);
    }
  }
  return Status::Ok();
}

Status LocalStore::PutFile(std::string_view key, const fs::path& file) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  EL_RETURN_IF_ERROR(io::CreateDirs(path.parent_path().string()));
  fs::path tmp = TempPath(path);
  EL_RETURN_IF_ERROR(CopySynced(file, tmp));
  Status s = io::Rename(tmp.string(), path.string());
  if (!s.ok()) {
    (void)io::RemoveFile(tmp.string());
    return s;
  }
  return io::SyncDir(path.parent_path().string());
}

fs::path LocalStore::UploadPath(const fs::path& target, std::string_view id) {
  return target.parent_path() /
         ("." + target.filename().string() + std::string(kUploadMarker) + std::string(id));
}

Result<Upload> LocalStore::StartUpload(std::string_view key, const fs::path& file) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  EL_RETURN_IF_ERROR(io::CreateDirs(path.parent_path().string()));
  Upload up;
  up.key = std::string(key);
  up.upload_id = std::to_string(::getpid()) + "-" + std::to_string(temp_seq_++);
  fs::path tmp = UploadPath(path, up.upload_id);
  EL_RETURN_IF_ERROR(CopySynced(file, tmp));
  return up;
}

Status LocalStore::CompleteUpload(const Upload& upload) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(upload.key));
  fs::path tmp = UploadPath(path, upload.upload_id);
  std::error_code ec;
  if (!fs::is_regular_file(tmp, ec))
    return NotFound("no upload " + upload.upload_id + " of " + path.string());
  EL_RETURN_IF_ERROR(io::Rename(tmp.string(), path.string()));
  return io::SyncDir(path.parent_path().string());
}

Status LocalStore::AbortUpload(std::string_view key, std::string_view upload_id) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  if (upload_id.empty() || upload_id.find('/') != std::string_view::npos)
    return InvalidArgument("bad upload id '" + std::string(upload_id) + "'");
  return io::RemoveFile(UploadPath(path, upload_id).string());
}

Result<std::vector<std::pair<std::string, std::string>>> LocalStore::ListUploads() {
  std::vector<std::pair<std::string, std::string>> out;
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return out;
  fs::recursive_directory_iterator it(root_, ec), end;
  if (ec) return FsError("cannot list", root_, ec);
  for (; it != end; it.increment(ec)) {
    if (ec) return FsError("cannot list", root_, ec);
    std::string name = it->path().filename().string();
    size_t m = name.find(kUploadMarker);
    if (m == std::string::npos || name.front() != '.' || !it->is_regular_file(ec)) continue;
    fs::path key_path = it->path().parent_path() / name.substr(1, m - 1);
    out.emplace_back(key_path.lexically_relative(root_).generic_string(),
                     name.substr(m + kUploadMarker.size()));
  }
  if (ec) return FsError("cannot list", root_, ec);
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> LocalStore::Get(std::string_view key) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  return ReadRange(path, 0, 0, true);
}

Result<std::string> LocalStore::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  return ReadRange(path, offset, length, false);
}

Status LocalStore::GetToFile(std::string_view key, const fs::path& file) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return NotFound("no object " + path.string());
  fs::copy_file(path, file, fs::copy_options::overwrite_existing, ec);
  if (ec) return FsError("cannot copy to", file, ec);
  return Status::Ok();
}

Result<ObjectInfo> LocalStore::Head(std::string_view key) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return NotFound("no object " + path.string());
  ObjectInfo info;
  info.key = std::string(key);
  info.size = static_cast<int64_t>(fs::file_size(path, ec));
  if (ec) return FsError("cannot stat", path, ec);
  info.etag = LocalEtag(path);
  return info;
}

Status LocalStore::Delete(std::string_view key) {
  EL_ASSIGN_OR_RETURN(fs::path path, PathOf(key));
  EL_RETURN_IF_ERROR(io::RemoveFile(path.string()));
  // Remove the folders the object leaves empty, up to (not including) the root.
  std::error_code ec;
  for (fs::path dir = path.parent_path();
       dir != root_ && dir.has_relative_path() && dir.string().size() > root_.string().size();
       dir = dir.parent_path()) {
    if (!fs::is_empty(dir, ec) || ec) break;
    if (!fs::remove(dir, ec)) break;
  }
  return Status::Ok();
}

Status LocalStore::DeleteMany(const std::vector<std::string>& keys) {
  for (const std::string& k : keys) EL_RETURN_IF_ERROR(Delete(k));
  return Status::Ok();
}

Result<ListPage> LocalStore::List(const ListOptions& options) {
  if (options.max_keys < 1 || options.max_keys > 1000)
    return InvalidArgument("max_keys must be 1..1000");
  // Walk from the deepest folder the prefix names, so listing a table does not walk the lake.
  std::string dir_part = options.prefix.substr(
      0, options.prefix.rfind('/') == std::string::npos ? 0 : options.prefix.rfind('/') + 1);
  fs::path start = root_ / dir_part;
  std::vector<std::string> keys;
  std::error_code ec;
  if (fs::is_directory(start, ec)) {
    fs::recursive_directory_iterator it(start, ec), end;
    if (ec) return FsError("cannot list", start, ec);
    for (; it != end; it.increment(ec)) {
      if (ec) return FsError("cannot list", start, ec);
      if (!it->is_regular_file(ec)) continue;
      std::string name = it->path().filename().string();
      if (name.find(kTempMarker) != std::string::npos) continue;
      std::string key = it->path().lexically_relative(root_).generic_string();
      if (key.compare(0, options.prefix.size(), options.prefix) == 0) keys.push_back(key);
    }
    if (ec) return FsError("cannot list", start, ec);
  }
  std::sort(keys.begin(), keys.end());
  std::string after = std::max(options.start_after, options.continuation_token);
  ListPage page;
  std::string last_prefix;
  int count = 0;
  for (const std::string& key : keys) {
    if (!after.empty() && key <= after) continue;
    if (!options.delimiter.empty()) {
      size_t d = key.find(options.delimiter, options.prefix.size());
      if (d != std::string::npos) {
        std::string cp = key.substr(0, d + options.delimiter.size());
        if (cp == last_prefix) continue;
        if (count == options.max_keys) {
          page.next_token = after;
          break;
        }
        last_prefix = cp;
        page.common_prefixes.push_back(cp);
        // Skip every key of this prefix: the token is the prefix's last possible key.
        after = cp + std::string(1, '\xff');
        ++count;
        continue;
      }
    }
    if (count == options.max_keys) {
      page.next_token = after;
      break;
    }
    ObjectInfo info;
    info.key = key;
    info.size = static_cast<int64_t>(fs::file_size(root_ / key, ec));
    if (ec) info.size = 0;
    page.objects.push_back(std::move(info));
    after = key;
    ++count;
  }
  return page;
}

}  // namespace el::objstore
