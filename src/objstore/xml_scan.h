#pragma once
// A tiny scanner for the regular XML that S3 answers with (ListObjectsV2, InitiateMultipartUpload,
// DeleteObjects results, error bodies): elements found by name, text with the five predefined
// entities and numeric character references decoded. No namespaces, attributes, CDATA or DTDs:
// S3 sends none in the elements read here. Malformed input yields "not found", never a crash.
// Threading: free functions without shared state.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace el::objstore {

// The decoded text of the first <tag>...</tag> (or <tag/>: "") in `xml`; nullopt when absent.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag);
// The raw inner XML of every top-level-or-nested <tag>...</tag> in order (views into `xml`).
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag);
std::string XmlUnescape(std::string_view text);
std::string XmlEscape(std::string_view text);

}  // namespace el::objstore
