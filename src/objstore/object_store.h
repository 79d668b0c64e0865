#pragma once
// ObjectStore: the few operations the lake needs from where its files live, with the semantics of
// an S3 bucket (so that the local directory and S3 behave alike):
//  - keys are '/'-separated paths relative to the store's root (a directory, or bucket + prefix);
//  - Put replaces an object whole and atomically: a reader sees the old or the new object;
//  - there is no rename, and a listing is by key prefix, in byte order of the keys;
//  - Delete of a missing key succeeds.
// Implementations: LocalStore (local_store.h), S3Store (s3_store.h).
// Threading: implementations are safe to call from several threads at once.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace el::objstore {

struct ObjectInfo {
  std::string key;  // relative to the store's root
  int64_t size = 0;
  std::string etag;  // S3: the ETag (quotes removed); local: its modification time and size
  std::string last_modified;  // as the store reports it (S3: ISO 8601 or HTTP date)
};

// A condition on the object a conditional put replaces (HTTP If-None-Match / If-Match).
struct Precondition {
  bool if_absent = false;  // only if no object has the key (If-None-Match: *)
  std::string if_match;    // only if the object's ETag is this one (If-Match)
};

// An upload whose object is not visible until it is completed (S3: a multipart upload whose parts
// are all sent). The lake publishes a batch's files by completing their uploads (lake/commit.h).
struct Upload {
  std::string key;
  std::string upload_id;
  std::vector<std::string> part_etags;  // part i + 1's ETag (S3); empty for a local directory
};

// The ETag S3 gives the object a multipart upload with these part ETags completes into: the MD5 of
// the parts' binary MD5s, "-", the number of parts (quotes removed). "" when `part_etags` is empty
// or one is not an MD5 (32 hex digits, quoted or not).
std::string MultipartEtag(const std::vector<std::string>& part_etags);

struct ListOptions {
  std::string prefix;       // only keys starting with this
  std::string delimiter;    // "/" : keys past the next delimiter are rolled up into common_prefixes
  std::string start_after;  // only keys after this one
  std::string continuation_token;  // from the previous page
  int max_keys = 1000;             // 1..1000
};

struct ListPage {
  std::vector<ObjectInfo> objects;           // sorted by key
  std::vector<std::string> common_prefixes;  // with delimiter: "a/", "b/" (relative to the root)
  std::string next_token;                    // "" on the last page
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // "s3://bucket/prefix" or the directory: for messages.
  virtual std::string Describe() const = 0;

  virtual Status Put(std::string_view key, std::string_view data) = 0;
  // Put only if `pre` holds, atomically with respect to every other conditional put of the key:
  // of two writers that read the same ETag, one wins. Returns the new object's ETag.
  // Errors: FailedPrecondition (the condition does not hold: the key exists, or was replaced).
  virtual Result<std::string> PutConditional(std::string_view key, std::string_view data,
                                             const Precondition& pre) = 0;
  // Uploads a file; an S3 store uses a multipart upload beyond its part size and aborts the upload
  // when a part fails (no parts are left behind).
  virtual Status PutFile(std::string_view key, const std::filesystem::path& file) = 0;
  // Uploads `file` under `key` without publishing it: the object appears, whole, only with
  // CompleteUpload; AbortUpload discards it. Errors: IOError, Unavailable, the store's errors.
  virtual Result<Upload> StartUpload(std::string_view key, const std::filesystem::path& file) = 0;
  // Publishes an upload. Errors: NotFound (no such upload: aborted, or completed before).
  virtual Status CompleteUpload(const Upload& upload) = 0;
  // Discards an unfinished upload; a missing one is fine.
  virtual Status AbortUpload(std::string_view key, std::string_view upload_id) = 0;
  // Every unfinished upload under the store's root, as (key, upload id).
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListUploads() = 0;
  // The whole object. Errors: NotFound.
  virtual Result<std::string> Get(std::string_view key) = 0;
  // Bytes [offset, offset + length) of the object (fewer at its end). Errors: NotFound, OutOfRange
  // (offset at or past the end of a non-empty object).
  virtual Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) = 0;
  // Writes the object to `file` (replaced). Errors: NotFound, IOError.
  virtual Status GetToFile(std::string_view key, const std::filesystem::path& file) = 0;
  // Errors: NotFound.
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;
  virtual Status Delete(std::string_view key) = 0;
  // Deletes every key (missing ones are fine); the first failure is reported.
  virtual Status DeleteMany(const std::vector<std::string>& keys) = 0;
  virtual Result<ListPage> List(const ListOptions& options) = 0;

  // Every object under `prefix` (all pages), sorted by key.
  Result<std::vector<ObjectInfo>> ListAll(std::string_view prefix);
};

}  // namespace el::objstore
