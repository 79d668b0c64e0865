#pragma once
// HTTP answers of the collector, and the one mapping from Status to an HTTP status code.
// Pure code; thread-safe.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "base/status.h"

namespace el::collector {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

// The seed's fixed answers (text/plain) to GET /purchase_a_sword and GET /.
inline constexpr std::string_view kSwordBody = "Sword Purchased!\n";
inline constexpr std::string_view kDefaultBody = "This is the default response!\n";

// InvalidArgument 400, NotFound 404, OutOfRange 413, ResourceExhausted/Unavailable/
// DeadlineExceeded/Cancelled 503; anything else 500.
boost::beast::http::status ToHttpStatus(const Status& status);

Response TextResponse(boost::beast::http::status code, std::string_view body);
Response JsonResponse(boost::beast::http::status code, std::string body);
// {"error":"<message>"}; 503 answers also carry `Retry-After: 1`.
Response ErrorResponse(boost::beast::http::status code, std::string_view message);
Response ErrorResponse(const Status& status);

}  // namespace el::collector
