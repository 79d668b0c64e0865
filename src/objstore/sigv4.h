#pragma once
// AWS Signature Version 4 for S3 requests (header-based signing), after AWS's published
// specification: canonical request -> string to sign -> HMAC-SHA256 chain of date, region and
// service -> Authorization header. Unit-tested against the example values of AWS's S3 docs.
//
// Why not libcurl's CURLOPT_AWS_SIGV4 (curl 7.88 on Debian 12): it signs inside the transfer with
// the system clock, so neither the signature nor the canonical request can be checked on their own
// against AWS's published examples, and tests cannot sign with a skewed or fixed clock; its
// canonical query handling also changed across 8.x releases. Signing here is about 150 lines,
// checked against AWS's examples (sigv4_test.cc) and against Ceph's gateway (integration tests).
// Threading: free functions without shared state.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace el::objstore {

struct Credentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;  // optional (temporary credentials): sent as x-amz-security-token
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What is signed of one request. `path` is already URI-encoded exactly as it is sent
// (UriEncodePath); `query` holds raw (unencoded) names and values; `headers` include Host.
struct SignRequest {
  std::string method;
  std::string path;
  HeaderList query;
  HeaderList headers;
  std::string payload_sha256;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct Signed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string authorization;  // the Authorization header's value
};

// Signs `req` at `amz_date` (YYYYMMDDTHHMMSSZ) for `region` and `service` ("s3"). The caller must
// have put x-amz-date (= amz_date) and x-amz-content-sha256 (= payload_sha256) and, with a session
// token, x-amz-security-token into req.headers: every header given is signed.
Signed SignV4(const SignRequest& req, const Credentials& creds, std::string_view region,
              std::string_view service, std::string_view amz_date);

// AWS's URI encoding: every byte but A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex); '/' kept when
// `keep_slash` (object key paths).
std::string UriEncode(std::string_view s, bool keep_slash);
// The canonical query string: names and values URI-encoded, sorted by name then value, joined by &.
std::string CanonicalQuery(const HeaderList& query);

std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string HexEncode(std::string_view bytes);
std::string Base64Md5(std::string_view data);  // Content-MD5 (DeleteObjects requires it)
// The signing key: HMAC chain "AWS4"+secret -> date (YYYYMMDD) -> region -> service ->
// "aws4_request" (raw 32 bytes).
std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);
// `t` as YYYYMMDDTHHMMSSZ (UTC).
std::string AmzDate(std::chrono::system_clock::time_point t);

}  // namespace el::objstore
