#pragma once
// The one check of every command's `--lake` value (and of [lander] lake from a file or the
// environment): parsed by objstore::ParseLocation, so that `--lake gs://b/x` is refused instead of
// creating a local folder `gs:`. An s3:// lake is refused
// too by the commands that cannot work on one yet, naming the command ("not supported yet by
// `eventlake query`"); `land` and `up` accept it (jobs/store_target.h). Usage errors: exit 2.
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "base/status.h"

namespace el::app {

// Whether `eventlake <command>` works on a lake `s3://BUCKET/PREFIX` (the lander of `land` and
// `up`, default layout).
bool LakeOnS3Supported(std::string_view command);

// OK for a local directory, and for an S3 lake where the command supports one; InvalidArgument for a malformed or unsupported location, or an S3
// one (not supported yet by `eventlake <command>`).
Status CheckLakeLocation(std::string_view value, std::string_view command);

// The local directory a checked lake location names: `file:///x` is /x, a path is itself.
std::string LocalLakePath(std::string_view value);

// A CLI11 validator running CheckLakeLocation for `command`; it turns a file:// URL into its
// path, so that the command sees a directory.
CLI::Validator LakeLocationValidator(std::string command);

}  // namespace el::app
