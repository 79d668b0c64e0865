#include "base/json_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace el {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the well-formed JSON number at text[i] (RFC 8259 section 6), or 0.
size_t NumberLength(std::string_view text, size_t i) {
  size_t j = i;
  auto digits = [&] {
    size_t start = j;
    while (j < text.size() && IsDigit(text[j])) ++j;
    return j > start;
  };
  if (j < text.size() && text[j] == '-') ++j;
  if (j < text.size() && text[j] == '0') {
    ++j;
  } else if (j >= text.size() || text[j] < '1' || text[j] > '9' || !digits()) {
    return 0;
  }
  if (j < text.size() && text[j] == '.') {
    ++j;
    if (!digits()) return 0;
  }
  if (j < text.size() && (text[j] == 'e' || text[j] == 'E')) {
    ++j;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (!digits()) return 0;
  }
  return j - i;
}

// True when a 64-bit integer or a finite double holds the well-formed number `token`.
bool FitsIn64Bits(std::string_view token) {
  const char* first = token.data();
  const char* last = token.data() + token.size();
  if (token.find_first_of(".eE") == std::string_view::npos) {
    if (token.front() == '-') {
      int64_t v;
      return std::from_chars(first, last, v).ec == std::errc();
    }
    uint64_t v;
    return std::from_chars(first, last, v).ec == std::errc();
  }
  std::string copy(token);  // strtod needs a terminator
  return std::isfinite(std::strtod(copy.c_str(), nullptr));  // underflow to 0 still parses
}

}  // namespace

size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t b0 = byte(i);
  size_t n;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return n;
}

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + text.size() + 2);
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    size_t plain = i;  // printable ASCII with nothing to escape goes out in one piece
    while (plain < text.size()) {
      auto b = static_cast<uint8_t>(text[plain]);
      if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') break;
      ++plain;
    }
    out.append(text.data() + i, plain - i);
    i = plain;
    if (i == text.size()) break;
    auto c = static_cast<uint8_t>(text[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(text, i);
      if (n == 0) {
        out.append(kReplacement);
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(out, text);
  return out;
}

std::optional<std::string> QuoteOutOfRangeNumbers(std::string_view json) {
  std::optional<std::string> out;
  size_t copied = 0;  // json[0, copied) is in *out already
  for (size_t i = 0; i < json.size();) {
    char c = json[i];
    if (c == '"') {  // skip the string, escapes included
      for (++i; i < json.size() && json[i] != '"'; ++i) {
        if (json[i] == '\\') ++i;
      }
      ++i;
      continue;
    }
    if (c != '-' && !IsDigit(c)) {
      ++i;
      continue;
    }
    size_t n = NumberLength(json, i);
    // A number stands between structural characters or whitespace; anything else is malformed,
    // and then the parser's error stands.
    auto delimits = [](char d, std::string_view set) { return set.find(d) != std::string_view::npos; };
    bool starts_value = i == 0 || delimits(json[i - 1], "[,: \t\r\n");
    bool ends_value = i + n == json.size() || delimits(json[i + n], "]}, \t\r\n");
    if (n == 0 || !starts_value || !ends_value) return std::nullopt;
    std::string_view token = json.substr(i, n);
    if (!FitsIn64Bits(token)) {
      if (!out) out.emplace();
      out->append(json.substr(copied, i - copied));
      out->push_back('"');
      out->append(token);
      out->push_back('"');
      copied = i + n;
    }
    i += n;
  }
  if (out) out->append(json.substr(copied));
  return out;
}

}  // namespace el
