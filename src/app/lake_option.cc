#include "app/lake_option.h"

#include "objstore/file_cache.h"
#include "objstore/location.h"
#include "objstore/s3_config.h"
#include "objstore/s3_store.h"

namespace el::app {

Status CheckLakeLocation(std::string_view value, std::string_view command, S3Lakes s3) {
  auto loc = objstore::ParseLocation(value);
  if (!loc.ok()) return loc.status();
  if (loc->is_s3() && s3 == S3Lakes::kRefused)
    return InvalidArgument("lake " + loc->ToString() +
                           ": a lake on S3 is not supported yet by `eventlake " +
                           std::string(command) + "`; use a local directory");
  return Status::Ok();
}

std::string LocalLakePath(std::string_view value) {
  auto loc = objstore::ParseLocation(value);
  return loc.ok() && !loc->is_s3() ? loc->local.string() : std::string(value);
}

bool IsS3Lake(std::string_view value) {
  auto loc = objstore::ParseLocation(value);
  return loc.ok() && loc->is_s3();
}

CLI::Validator LakeLocationValidator(std::string command, S3Lakes s3) {
  return CLI::Validator(
      [command, s3](std::string& value) -> std::string {
        Status s = CheckLakeLocation(value, command, s3);
        if (!s.ok()) return s.message();
        value = LocalLakePath(value);
        return std::string();
      },
      s3 == S3Lakes::kAccepted ? "DIR|s3://BUCKET/PREFIX" : "DIR", "lake location");
}

void S3ReadArgs::AddTo(CLI::App& cmd) {
  cmd.add_option("--cache-dir", cache_dir,
                 "S3 lake: folder of local copies (default $XDG_CACHE_HOME/eventlake/s3)");
  cmd.add_option("--cache-size", cache_size,
                 "S3 lake: bound of the local copies, e.g. 512M, 4G (least recently used out)")
      ->capture_default_str();
}

Status S3ReadArgs::Check(std::string_view lake) const {
  auto size = objstore::ParseByteSize(cache_size);
  if (!size.ok()) return InvalidArgument("--cache-size: " + size.status().message());
  if (*size < 1) return InvalidArgument("--cache-size must be at least 1 byte");
  bool given = !cache_dir.empty() || cache_size != S3ReadArgs().cache_size;
  if (given && !IsS3Lake(lake))
    return InvalidArgument("--cache-dir and --cache-size apply to an s3:// lake only");
  return Status::Ok();
}

Result<std::unique_ptr<query::S3Lake>> OpenS3Lake(std::string_view lake, const S3ReadArgs& args,
                                                  bool schemas) {
  EL_ASSIGN_OR_RETURN(objstore::Location loc, objstore::ParseLocation(lake));
  EL_ASSIGN_OR_RETURN(objstore::S3Config config,
                      objstore::S3ConfigFromEnvironment(objstore::ProcessEnvLookup()));
  EL_ASSIGN_OR_RETURN(int64_t bytes, objstore::ParseByteSize(args.cache_size));
  query::S3LakeOptions options;
  options.cache_dir = args.cache_dir;
  options.cache_bytes = bytes;
  options.schemas = schemas;
  return query::S3Lake::Open(objstore::S3Store::Open(config, loc), std::move(options));
}

}  // namespace el::app
