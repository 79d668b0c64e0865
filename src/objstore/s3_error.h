#pragma once
// S3's error answers turned into eventlake Status values with messages a user can act on:
//   NoSuchBucket                          -> NotFound "bucket B does not exist at ENDPOINT"
//   NoSuchKey, 404                        -> NotFound
//   InvalidAccessKeyId, SignatureDoesNotMatch, 401
//                                         -> FailedPrecondition "bad credentials: ..."
//   AccessDenied, 403                     -> FailedPrecondition "access denied: ..."
//   RequestTimeTooSkewed                  -> FailedPrecondition "clock skew: the server's time is
//                                            X, ours is Y"
//   5xx, 429, SlowDown, RequestTimeout    -> Unavailable (retried: retry.h)
//   InvalidRange, 416                     -> OutOfRange
//   anything else                         -> IOError "S3 CODE (HTTP N): message"
// Threading: free functions without shared state.
#include <string>
#include <string_view>

#include "base/status.h"

namespace el::objstore {

struct S3Error {
  int http_status = 0;
  std::string code;  // e.g. NoSuchBucket; "" when the body had none (HEAD answers)
  std::string message;
  std::string resource;
  std::string request_id;
  std::string server_time;  // RequestTimeTooSkewed: <ServerTime>, else the response's Date
  std::string request_time;
};

// Parses an error body (<Error><Code>..</Code><Message>..</Message>...</Error>); an empty or
// non-XML body gives an S3Error with only the status. `date_header` is the response's Date.
S3Error ParseS3Error(int http_status, std::string_view body, std::string_view date_header = "");

// The Status for `err` of the request described by `what` ("GET s3://bucket/key at ENDPOINT").
// `our_time` is the request's x-amz-date, for clock-skew messages.
Status S3ErrorStatus(const S3Error& err, std::string_view what, std::string_view our_time);

}  // namespace el::objstore
