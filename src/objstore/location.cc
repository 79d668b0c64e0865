#include "objstore/location.h"

#include <algorithm>
#include <cctype>

namespace el::objstore {
namespace {

// The scheme of `text` when it starts with `scheme:/` (RFC 3986 scheme characters), else "".
std::string_view UrlScheme(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  if (colon + 1 >= text.size() || text[colon + 1] != '/') return {};
  if (!std::isalpha(static_cast<unsigned char>(text[0]))) return {};
  for (size_t i = 1; i < colon; ++i) {
    char c = text[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  return text.substr(0, colon);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsIpv4(std::string_view s) {
  int dots = 0;
  for (char c : s) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 3;
}

Result<Location> ParseS3(std::string_view text) {
  std::string_view rest = text.substr(5);  // after "s3://"
  size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  auto bad = [&](std::string_view why) {
    return InvalidArgument("bad S3 location '" + std::string(text) + "': " + std::string(why) +
                           " (the form is s3://BUCKET/PREFIX)");
  };
  if (bucket.find('@') != std::string_view::npos)
    return bad("credentials do not go in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  if (bucket.find(':') != std::string_view::npos)
    return bad("no port here; the endpoint comes from AWS_ENDPOINT_URL");
  if (text.find_first_of("?#") != std::string_view::npos) return bad("no query or fragment");
  if (bucket.empty()) return bad("no bucket");
  if (!IsValidBucketName(bucket))
    return bad("'" + std::string(bucket) +
               "' is not a bucket name (3-63 lower-case letters, digits, '.' and '-')");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  Location loc;
  loc.kind = Location::Kind::kS3;
  loc.bucket = std::string(bucket);
  for (size_t start = 0; start < path.size();) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view seg = path.substr(start, end - start);
    if (seg.empty()) return bad("empty folder in the prefix ('//')");
    if (seg == "." || seg == "..") return bad("'.' and '..' are not folders in a bucket");
    start = end + 1;
  }
  loc.prefix = std::string(path);
  return loc;
}

}  // namespace

bool IsValidBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  if (name.find("..") != std::string_view::npos) return false;
  return !IsIpv4(name);
}

std::string Location::ToString() const {
  if (kind == Kind::kLocal) return local.string();
  return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
}

Result<Location> ParseLocation(std::string_view text) {
  if (text.empty()) return InvalidArgument("empty lake location");
  std::string_view scheme = UrlScheme(text);
  if (scheme.empty() && Lower(text.substr(0, 5)) == "file:") scheme = text.substr(0, 4);
  if (scheme.empty()) {
    Location loc;
    loc.local = std::filesystem::path(std::string(text));
    return loc;
  }
  std::string s = Lower(scheme);
  if (s == "s3") {
    if (text.substr(2, 3) != "://")
      return InvalidArgument("bad S3 location '" + std::string(text) +
                             "': the form is s3://BUCKET/PREFIX");
    std::string normalized = "s3://" + std::string(text.substr(5));
    return ParseS3(normalized);
  }
  if (s == "file") {
    std::string_view rest = text.substr(5);  // after "file:"
    if (rest.substr(0, 3) == "///") {
      Location loc;
      loc.local = std::filesystem::path(std::string(rest.substr(2)));
      return loc;
    }
    if (rest.substr(0, 12) == "//localhost/") {
      Location loc;
      loc.local = std::filesystem::path(std::string(rest.substr(11)));
      return loc;
    }
    return InvalidArgument("unsupported file URL '" + std::string(text) +
                           "': use file:///ABSOLUTE/PATH or a plain path");
  }
  std::string hint;
  if (s == "s3a" || s == "s3n") hint = "; for S3 use s3://BUCKET/PREFIX";
  return InvalidArgument(
      "unsupported lake location '" + std::string(text) +
      "': eventlake reads and writes a local directory or s3://BUCKET/PREFIX, not " + s + "://" +
      hint);
}

}  // namespace el::objstore
