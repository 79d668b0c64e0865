#include "objstore/s3_error.h"

#include <ctime>
#include <optional>

#include "objstore/xml_scan.h"

namespace el::objstore {
namespace {

// Seconds since the epoch of an x-amz-date (20130524T000000Z), an ISO 8601 time
// (2013-05-24T00:00:00[.000]Z) or an HTTP date (Fri, 24 May 2013 00:00:00 GMT).
std::optional<std::time_t> ParseTime(const std::string& text) {
  for (const char* format : {"%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%S", "%a, %d %b %Y %H:%M:%S GMT"}) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end != nullptr) return timegm(&tm);
  }
  return std::nullopt;
}

std::string IsoTime(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "the server's time is X, ours is Y (D ahead|behind)", both in ISO 8601 when they parse.
std::string SkewText(const std::string& server, const std::string& ours) {
  auto s = ParseTime(server);
  auto o = ParseTime(ours);
  if (!s || !o) {
    return "the server's time is " + (server.empty() ? std::string("unknown") : server) +
           ", ours is " + ours;
  }
  long long diff = static_cast<long long>(*o) - static_cast<long long>(*s);
  long long mag = diff < 0 ? -diff : diff;
  std::string span =
      mag >= 3600 ? std::to_string(mag / 3600) + " h " + std::to_string(mag % 3600 / 60) + " min"
      : mag >= 60 ? std::to_string(mag / 60) + " min " + std::to_string(mag % 60) + " s"
                  : std::to_string(mag) + " s";
  return "the server's time is " + IsoTime(*s) + ", ours is " + IsoTime(*o) + " (" + span +
         (diff < 0 ? " behind" : " ahead") + ")";
}

}  // namespace

S3Error ParseS3Error(int http_status, std::string_view body, std::string_view date_header) {
  S3Error e;
  e.http_status = http_status;
  auto error = XmlElements(body, "Error");
  std::string_view scope = error.empty() ? body : error.front();
  e.code = XmlText(scope, "Code").value_or("");
  e.message = XmlText(scope, "Message").value_or("");
  e.resource = XmlText(scope, "Resource").value_or("");
  e.request_id = XmlText(scope, "RequestId").value_or("");
  e.request_time = XmlText(scope, "RequestTime").value_or("");
  e.server_time = XmlText(scope, "ServerTime").value_or(std::string(date_header));
  return e;
}

Status S3ErrorStatus(const S3Error& err, std::string_view what, std::string_view our_time) {
  const std::string& c = err.code;
  const int h = err.http_status;
  std::string detail =
      (c.empty() ? "HTTP " + std::to_string(h) : c + " (HTTP " + std::to_string(h) + ")") +
      (err.message.empty() ? "" : ": " + err.message);
  std::string where = std::string(what);
  if (c == "NoSuchBucket") return NotFound("bucket does not exist: " + where + " (" + detail + ")");
  if (c == "NoSuchKey" || c == "NoSuchUpload" || (c.empty() && h == 404))
    return NotFound("not found: " + where + " (" + detail + ")");
  if (c == "RequestTimeTooSkewed") {
    std::string ours = our_time.empty() ? err.request_time : std::string(our_time);
    return FailedPrecondition("clock skew: " + SkewText(err.server_time, ours) +
                              "; set this machine's clock (" + where + ": " + detail + ")");
  }
  if (c == "InvalidAccessKeyId" || c == "SignatureDoesNotMatch" || h == 401 ||
      (c.empty() && h == 403))
    return FailedPrecondition("bad credentials: " + where + " (" + detail +
                              "); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (c == "AccessDenied" || c == "AllAccessDisabled")
    return FailedPrecondition("access denied: " + where + " (" + detail + ")");
  if (h >= 500 || h == 429 || c == "SlowDown" || c == "RequestTimeout" || c == "InternalError" ||
      c == "ServiceUnavailable")
    return Unavailable("S3 unavailable: " + where + " (" + detail + ")");
  if (c == "InvalidRange" || h == 416) return OutOfRange(where + ": " + detail);
  if (c == "BucketAlreadyExists" || c == "BucketAlreadyOwnedByYou")
    return AlreadyExists(where + ": " + detail);
  if (c == "PreconditionFailed" || c == "ConditionalRequestConflict" || h == 412)
    return FailedPrecondition("precondition failed: " + where + " (" + detail + ")");
  return IOError("S3 error: " + where + " (" + detail + ")");
}

}  // namespace el::objstore
