#include "collector/response.h"

#include <boost/beast/http/field.hpp>

#include "base/json_text.h"

namespace el::collector {

namespace http = boost::beast::http;

http::status ToHttpStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return http::status::ok;
    case StatusCode::kInvalidArgument:
      return http::status::bad_request;
    case StatusCode::kNotFound:
      return http::status::not_found;
    case StatusCode::kOutOfRange:
      return http::status::payload_too_large;
    case StatusCode::kResourceExhausted:
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kCancelled:
      return http::status::service_unavailable;
    default:
      return http::status::internal_server_error;
  }
}

Response TextResponse(http::status code, std::string_view body) {
  Response res{code, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body().assign(body);
  return res;
}

Response JsonResponse(http::status code, std::string body) {
  Response res{code, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  return res;
}

Response ErrorResponse(http::status code, std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(body, message);
  body.push_back('}');
  Response res = JsonResponse(code, std::move(body));
  if (code == http::status::service_unavailable) res.set(http::field::retry_after, "1");
  return res;
}

Response ErrorResponse(const Status& status) {
  return ErrorResponse(ToHttpStatus(status), status.message());
}

}  // namespace el::collector
