#include "app/lake_option.h"

#include "objstore/location.h"

namespace el::app {

bool LakeOnS3Supported(std::string_view command) { return command == "land" || command == "up"; }

Status CheckLakeLocation(std::string_view value, std::string_view command) {
  auto loc = objstore::ParseLocation(value);
  if (!loc.ok()) return loc.status();
  if (loc->is_s3() && !LakeOnS3Supported(command))
    return InvalidArgument("lake " + loc->ToString() +
                           ": a lake on S3 is not supported yet by `eventlake " +
                           std::string(command) + "`; use a local directory");
  return Status::Ok();
}

std::string LocalLakePath(std::string_view value) {
  auto loc = objstore::ParseLocation(value);
  return loc.ok() && !loc->is_s3() ? loc->local.string() : std::string(value);
}

CLI::Validator LakeLocationValidator(std::string command) {
  return CLI::Validator(
      [command](std::string& value) -> std::string {
        Status s = CheckLakeLocation(value, command);
        if (!s.ok()) return s.message();
        value = LocalLakePath(value);
        return std::string();
      },
      "DIR", "lake location");
}

}  // namespace el::app
