#pragma once
// Location: where a lake (or any object store) lives, parsed once from what a user typed: a local
// directory, or `s3://BUCKET[/PREFIX]`. Every command that takes `--lake` parses it here, so that a
// URL of a scheme eventlake does not support is refused instead of becoming a local folder named
// `gs:`.
//
// Accepted forms:
//   /abs/path, rel/path, ./x, name:with:colons   a local directory (no `scheme:/` in front)
//   file:///abs/path                             the local directory /abs/path
//   s3://bucket, s3://bucket/a/b[/]              bucket `bucket`, key prefix "" or "a/b"
// Refused (InvalidArgument, naming the form that works): any other `scheme:/...` (gs, hdfs, s3a,
// abfs, http, ...), `file:` with a host or a relative path, an s3 URL with credentials, a port, a
// query, an invalid bucket name, or empty, `.` or `..` prefix segments.
// Threading: values; free functions without shared state.
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace el::objstore {

struct Location {
  enum class Kind { kLocal, kS3 };
  Kind kind = Kind::kLocal;
  std::filesystem::path local;  // kLocal: the directory as given (file:// URLs: their path)
  std::string bucket;           // kS3
  std::string prefix;           // kS3: "" or "a/b", without leading or trailing '/'

  bool is_s3() const { return kind == Kind::kS3; }
  // The canonical text: the local path, or s3://bucket[/prefix].
  std::string ToString() const;
};

// Parses `text` (see above). Errors: InvalidArgument, with a message that names `text`.
Result<Location> ParseLocation(std::string_view text);

// Whether `name` is a valid S3 bucket name (3-63 of [a-z0-9.-], starting and ending with a letter
// or digit, no "..", not an IPv4 address).
bool IsValidBucketName(std::string_view name);

}  // namespace el::objstore
