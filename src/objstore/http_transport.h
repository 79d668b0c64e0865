#pragma once
// HttpTransport: sends one HTTP request and returns the answer, whatever its status; the seam
// between the S3 client and the network, so that tests drive the client with canned answers.
// CurlTransport (curl_transport.h) is the real one.
// Errors of Send: Unavailable (cannot connect, connection reset, DNS), DeadlineExceeded (timed
// out); an HTTP error status is an answer, not an error.
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "objstore/sigv4.h"

namespace el::objstore {

struct HttpRequest {
  std::string method;
  std::string url;
  HeaderList headers;
  std::string_view body;  // must outlive Send
  // When set, a 2xx answer's body goes here in pieces instead of into HttpResponse::body.
  std::function<Status(std::string_view)> sink;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace el::objstore
