#pragma once
// S3Store: an ObjectStore in an S3 bucket under a key prefix, over any S3-compatible server (AWS,
// Ceph's RADOS gateway, MinIO). Requests are signed with Signature V4 (sigv4.h) over an
// HttpTransport (curl_transport.h in production); path-style (ENDPOINT/BUCKET/KEY) or virtual-host
// (BUCKET.HOST/KEY) addressing. Payloads are signed (x-amz-content-sha256 is the body's SHA-256).
//
// Failures that may pass (5xx, 429/SlowDown, RequestTimeout, connection errors, timeouts) are
// retried per config.retry with exponential backoff and full jitter, each attempt signed anew;
// others come back at once as Status (s3_error.h: NotFound for NoSuchBucket/NoSuchKey,
// FailedPrecondition "bad credentials" / "clock skew", ...).
//
// PutFile uploads files larger than config.part_size in parts (CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload; a 200 answer whose body is an <Error> counts as failed) and aborts the
// upload when any step fails, so no parts are left to be billed. A completion that meets
// NoSuchUpload (a retry after the server completed it and the answer was lost) counts as done
// when the object's ETag is the one of exactly these parts (MultipartEtag). An upload whose
// CreateMultipartUpload answer was lost (the server created it, then the connection went) is one
// this client never heard of: it stays, empty, until something aborts it (the lake's recovery
// aborts those of its data files; a bucket lifecycle rule, AbortIncompleteMultipartUpload, the rest).
// PutConditional sends If-None-Match: * or If-Match: ETAG (unquoted: Ceph 16's gateway compares
// the bare ETag and refuses a quoted one). When an attempt's answer was lost and a retry then meets
// 412, the object is read back: holding exactly our data, the put counts as done.
// Threading: safe from several threads at once (the transport must be too; CurlTransport is).
// Lifetime: owns its transport.
#include <functional>
#include <memory>

#include "objstore/http_transport.h"
#include "objstore/location.h"
#include "objstore/object_store.h"
#include "objstore/s3_config.h"

namespace el::objstore {

class S3Store final : public ObjectStore {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  S3Store(S3Config config, std::string bucket, std::string prefix,
          std::unique_ptr<HttpTransport> transport, Clock clock = nullptr,
          RetryEnv retry_env = DefaultRetryEnv());

  // A store for `location` (must be s3://) with a CurlTransport.
  static std::unique_ptr<S3Store> Open(const S3Config& config, const Location& location);

  // Checks that the bucket exists and the credentials are good (a one-key listing).
  // Errors: NotFound (no such bucket), FailedPrecondition (bad credentials, clock skew),
  // Unavailable.
  Status CheckBucket();

  std::string Describe() const override;
  Status Put(std::string_view key, std::string_view data) override;
  Result<std::string> PutConditional(std::string_view key, std::string_view data,
                                     const Precondition& pre) override;
  Status PutFile(std::string_view key, const std::filesystem::path& file) override;
  // A multipart upload of every part of `file` (a file of any size: one part up to the part size),
  // not completed.
  Result<Upload> StartUpload(std::string_view key, const std::filesystem::path& file) override;
  // CompleteMultipartUpload. Errors: NotFound (NoSuchUpload).
  Status CompleteUpload(const Upload& upload) override;
  Status AbortUpload(std::string_view key, std::string_view upload_id) override {
    return AbortMultipartUpload(key, upload_id);
  }
  Result<std::vector<std::pair<std::string, std::string>>> ListUploads() override {
    return ListMultipartUploads();
  }
  Result<std::string> Get(std::string_view key) override;
  Result<std::string> GetRange(std::string_view key, uint64_t offset, uint64_t length) override;
  Status GetToFile(std::string_view key, const std::filesystem::path& file) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<ListPage> List(const ListOptions& options) override;

  // Every unfinished multipart upload under the store's prefix, as (key, upload id): for tests and
  // for cleaning up after a crash.
  Result<std::vector<std::pair<std::string, std::string>>> ListMultipartUploads();
  Status AbortMultipartUpload(std::string_view key, std::string_view upload_id);

 private:
  struct Call {
    explicit Call(std::string m, std::string k = {}, HeaderList q = {}, std::string_view b = {})
        : method(std::move(m)), key(std::move(k)), query(std::move(q)), body(b) {}
    std::string method;
    std::string key;  // full key in the bucket ("" for the bucket itself)
    HeaderList query;
    HeaderList headers;
    std::string_view body;
    std::function<Status(std::string_view)> sink;
    std::function<void()> before_attempt;  // resets a sink's target before each attempt
    bool allow_missing = false;            // 404 is an answer (HEAD, DELETE)
    int* attempts = nullptr;               // when set: how many attempts were sent
  };
  // Sends `call` with retries; returns the final answer (2xx, or 404 with allow_missing) or the
  // error Status.
  Result<HttpResponse> Execute(const Call& call);
  std::string FullKey(std::string_view key) const;
  std::string RelativeKey(std::string_view full) const;
  std::string Where(const Call& call) const;
  Status PutMultipart(const std::string& full_key, const std::filesystem::path& file, int64_t size);
  // CreateMultipartUpload; returns the upload id.
  Result<std::string> CreateUpload(const std::string& full_key);
  // Uploads every part of `file`; returns their ETags.
  Result<std::vector<std::string>> PutParts(const std::string& full_key,
                                            const std::string& upload_id,
                                            const std::filesystem::path& file, int64_t size);
  Status CompleteParts(const std::string& full_key, const std::string& upload_id,
                       const std::vector<std::string>& etags);

  S3Config config_;
  std::string bucket_;
  std::string prefix_;  // "" or "a/b/" (with the trailing '/')
  std::unique_ptr<HttpTransport> transport_;
  Clock clock_;
  RetryEnv retry_env_;
  std::string scheme_;  // "http" or "https"
  std::string host_;    // host[:port] of the endpoint
};

}  // namespace el::objstore
