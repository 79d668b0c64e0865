#pragma once
// The one check of every command's `--lake` value (and of [lander] lake from a file or the
// environment): parsed by objstore::ParseLocation, so that `--lake gs://b/x` is refused instead of
// creating a local folder `gs:`. An s3:// lake is accepted only by the commands that read one
// (query, schema, ddl); the others refuse it by name ("not supported yet by `eventlake land`").
// Usage errors: exit 2.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "base/result.h"
#include "query/s3_lake.h"

namespace el::app {

// Whether a command takes an s3:// lake.
enum class S3Lakes { kRefused, kAccepted };

// OK for a local directory (and with kAccepted an S3 location); InvalidArgument for a malformed
// or unsupported location, or an S3 one the command does not read.
Status CheckLakeLocation(std::string_view value, std::string_view command,
                         S3Lakes s3 = S3Lakes::kRefused);

// The local directory a checked lake location names: `file:///x` is /x, a path is itself; an
// s3:// location stays as it is.
std::string LocalLakePath(std::string_view value);

// Whether a checked lake location is on S3.
bool IsS3Lake(std::string_view value);

// A CLI11 validator running CheckLakeLocation for `command`; it turns a file:// URL into its
// path, so that the command sees a directory (add it with ->transform: ->check drops the change).
CLI::Validator LakeLocationValidator(std::string command, S3Lakes s3 = S3Lakes::kRefused);

// The reading options of an S3 lake (--cache-dir, --cache-size), added to `cmd`.
struct S3ReadArgs {
  std::string cache_dir;
  std::string cache_size = "4G";
  void AddTo(CLI::App& cmd);
  // Usage errors (InvalidArgument) for a bad size, or for these options with a local lake (a
  // flag a command does not honour is refused).
  Status Check(std::string_view lake) const;
};

// Opens the S3 lake `lake` (s3://...) with the server and credentials from the AWS environment
// and files (objstore/s3_config.h). Errors: FailedPrecondition (no credentials), InvalidArgument,
// IOError (the cache folder).
Result<std::unique_ptr<query::S3Lake>> OpenS3Lake(std::string_view lake, const S3ReadArgs& args,
                                                  bool schemas);

}  // namespace el::app
