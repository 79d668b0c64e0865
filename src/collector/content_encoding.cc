#include "collector/content_encoding.h"

#include <zlib.h>

#include <cstdint>

#include <boost/beast/core/string.hpp>

namespace el::collector {

BodyEncoding ParseContentEncoding(std::string_view value) {
  using boost::beast::iequals;
  if (value.empty() || iequals(value, "identity")) return BodyEncoding::kIdentity;
  if (iequals(value, "gzip") || iequals(value, "x-gzip")) return BodyEncoding::kGzip;
  return BodyEncoding::kUnsupported;
}

Result<std::string> Gunzip(std::string_view data, size_t max_bytes) {
  if (data.size() > UINT32_MAX) return OutOfRange("gzip body too large");
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return Internal("gzip: cannot start inflating");
  std::string out;
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  char chunk[16384];
  int rc = Z_OK;
  while (true) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    rc = inflate(&stream, Z_NO_FLUSH);
    size_t produced = sizeof(chunk) - stream.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&stream);
      return OutOfRange("body larger than " + std::to_string(max_bytes) + " bytes once inflated");
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      inflateReset(&stream);  // another gzip member follows
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) rc = Z_DATA_ERROR;  // the input ended early
    std::string reason = stream.msg != nullptr ? stream.msg : "truncated stream";
    inflateEnd(&stream);
    return InvalidArgument("gzip body cannot be inflated: " + reason);
  }
  inflateEnd(&stream);
  return out;
}

}  // namespace el::collector
