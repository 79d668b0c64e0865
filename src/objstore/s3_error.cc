#include "objstore/s3_error.h"

#include "objstore/xml_scan.h"

namespace el::objstore {

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
    return FailedPrecondition("clock skew: the server's time is " +
                              (err.server_time.empty() ? "unknown" : err.server_time) +
                              ", ours is " + ours + " (" + where + ": " + detail +
                              "); set this machine's clock");
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
  if (c == "PreconditionFailed" || h == 412) return FailedPrecondition(where + ": " + detail);
  return IOError("S3 error: " + where + " (" + detail + ")");
}

}  // namespace el::objstore
