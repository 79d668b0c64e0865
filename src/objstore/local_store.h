#pragma once
// LocalStore: an ObjectStore over a local directory, with S3's semantics (object_store.h): a key
// a/b/c is the file ROOT/a/b/c; Put writes a temporary file beside the target and renames it over
// (atomic, fsynced); Delete removes the file and the folders it leaves empty (S3 has no folders);
// List walks the folders and answers in key order, with delimiter roll-up and pages whose token is
// the last key returned. Temporary files (".<name>.objstore-tmp-*") are never listed; an
// unfinished upload is the file ".<name>.objstore-tmp-upload-<id>" beside its key, renamed over
// the key when completed.
// Threading: safe from several threads; concurrent Puts of one key leave one of them whole.
#include <atomic>
#include <filesystem>

#include "objstore/object_store.h"

namespace el::objstore {

class LocalStore final : public ObjectStore {
 public:
  explicit LocalStore(std::filesystem::path root);

  std::string Describe() const override { return root_.string(); }
  Status Put(std::string_view key, std::string_view data) override;
  Result<std::string> PutConditional(std::string_view key, std::string_view data,
                                     const Precondition& pre) override;
  Status PutFile(std::string_view key, const std::filesystem::path& file) override;
  Result<Upload> StartUpload(std::string_view key, const std::filesystem::path& file) override;
  Status CompleteUpload(const Upload& upload) override;
  Status AbortUpload(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<std::pair<std::string, std::string>>> ListUploads() override;
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Status GetToFile(std::string_view key, const std::filesystem::path& file) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<ListPage> List(const ListOptions& options) override;

 private:
  Result<std::filesystem::path> PathOf(std::string_view key) const;
  std::filesystem::path TempPath(const std::filesystem::path& target);
  // The file of upload `id` of the object at `target`.
  static std::filesystem::path UploadPath(const std::filesystem::path& target, std::string_view id);
  // Copies `file` to `tmp` and fsyncs it.
  static Status CopySynced(const std::filesystem::path& file, const std::filesystem::path& tmp);

  std::filesystem::path root_;
  std::atomic<uint64_t> temp_seq_{0};
};

// Checks that `key` names an object: not empty, no leading '/', no empty, "." or ".." segments,
// no NUL. Errors: InvalidArgument.
Status CheckKey(std::string_view key);

}  // namespace el::objstore
