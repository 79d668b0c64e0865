#pragma once
// Request bodies sent with a Content-Encoding. Segment's HTTP API accepts gzip, and some analytics
// SDKs compress their batches with it.
#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace el::collector {

enum class BodyEncoding { kIdentity, kGzip, kUnsupported };

// From a Content-Encoding header value (empty when there is none); case-insensitive.
BodyEncoding ParseContentEncoding(std::string_view value);

// Inflates a gzip body (every member of a multi-member stream). InvalidArgument for a corrupt or
// truncated stream; OutOfRange as soon as the inflated body would exceed `max_bytes`.
Result<std::string> Gunzip(std::string_view data, size_t max_bytes);

}  // namespace el::collector
