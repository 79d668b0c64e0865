#pragma once
// S3Config: where and as whom an S3 store connects, read the way AWS's own SDKs and CLI read it,
// so that one setup serves eventlake, the aws CLI and boto3 alike. Never from the command line.
//
//   endpoint     AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or `endpoint_url` of the profile in the
//                config file; default https://s3.REGION.amazonaws.com
//   region       AWS_REGION, AWS_DEFAULT_REGION, `region` of the profile; default us-east-1
//   credentials  AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the
//                profile's aws_access_key_id / aws_secret_access_key / aws_session_token in the
//                credentials file, then in the config file
//   addressing   EVENTLAKE_S3_ADDRESSING_STYLE=path|virtual, or the profile's `s3 =` block
//                `addressing_style = path|virtual`; default: path with a custom endpoint (Ceph,
//                MinIO and most S3-compatible servers), virtual-host style for AWS itself
// Files: AWS_CONFIG_FILE (default ~/.aws/config, sections [default] and [profile NAME]),
// AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials, sections [NAME]); the profile is
// AWS_PROFILE (default "default"). Missing files are fine; unreadable values are errors.
// Threading: values; the function reads the environment it is given.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "base/result.h"
#include "objstore/retry.h"
#include "objstore/sigv4.h"

namespace el::objstore {

struct S3Config {
  std::string endpoint;  // scheme://host[:port], no trailing '/'
  std::string region = "us-east-1";
  Credentials credentials;
  bool path_style = true;
  RetryPolicy retry;
  int64_t part_size = 8 << 20;  // multipart part size (S3's minimum is 5 MiB but for the last part)
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds idle_timeout{30};
};

// Looks a variable up; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnvLookup();

// The configuration from `env` and the AWS files it names. Errors: FailedPrecondition (no
// credentials anywhere), InvalidArgument (a malformed endpoint or addressing style), IOError.
Result<S3Config> S3ConfigFromEnvironment(const EnvLookup& env);

// The profile `profile` of an AWS INI file's text (`config_style`: sections are [profile NAME],
// except [default]); keys of nested blocks (`s3 =` then indented lines) as "s3.key".
std::map<std::string, std::string> ParseAwsProfile(std::string_view text,
                                                   const std::string& profile, bool config_style);

}  // namespace el::objstore
