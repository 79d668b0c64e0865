#pragma once
// JsonDump: renders any protocol message as JSON by running its Serde with a writer-like Io that
// records values instead of bytes. Fields appear in wire order, unnamed: a message is a JSON array of
// its fields, an ARRAY field is an array of elements, and an element with one field is that field
// itself. Strings are JSON strings, null is null, BYTES are "hex:<lowercase hex>", booleans true/false.
// Tagged-field sections are omitted (the decoders skip them). Test-only; not thread-safe.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kafka/protocol/api.h"
#include "kafka/protocol/wire.h"

namespace el::golden {

class JsonIo {
 public:
  static constexpr bool kIsReader = false;
  JsonIo() { Open(); }

  bool ok() const { return true; }
  bool flexible() const { return false; }
  void set_flexible(bool) {}
  void Int8(int8_t v) { Value(std::to_string(v)); }
  void Int16(int16_t v) { Value(std::to_string(v)); }
  void Int32(int32_t v) { Value(std::to_string(v)); }
  void Int64(int64_t v) { Value(std::to_string(v)); }
  void UInt32(uint32_t v) { Value(std::to_string(v)); }
  void UVarint(uint32_t v) { Value(std::to_string(v)); }
  void Varint(int32_t v) { Value(std::to_string(v)); }
  void Varlong(int64_t v) { Value(std::to_string(v)); }
  void Bool(bool v) { Value(v ? "true" : "false"); }
  void String(const std::string& v) { Value(Quote(v)); }
  void NullableString(const std::optional<std::string>& v) { Value(v ? Quote(*v) : "null"); }
  void Bytes(kafka::BytesView v) { Value("\"hex:" + Hex(v) + "\""); }
  void Bytes(const std::vector<uint8_t>& v) { Bytes(kafka::BytesView(v)); }
  void NullableBytes(const std::optional<kafka::BytesView>& v) {
    if (!v) return Value("null");
    Bytes(*v);
  }
  void TaggedFields() {}
  void TaggedFields(const std::vector<std::pair<uint32_t, std::vector<uint8_t>>>&) {}

  template <typename T, typename Fn>
  void Array(const std::vector<T>& v, Fn&& fn) {
    Open();
    for (const T& e : v) {
      size_t start = Open();
      fn(e);
      CloseElement(start);
    }
    Close();
  }
  template <typename T, typename Fn>
  void NullableArray(const std::optional<std::vector<T>>& v, Fn&& fn) {
    if (!v) return Value("null");
    Array(*v, fn);
  }

  // The message as JSON (call once, after Serde).
  std::string Finish() {
    Close();
    return std::move(out_);
  }

  static std::string Quote(const std::string& s);
  static std::string Hex(kafka::BytesView v);

 private:
  void Separate() {
    if (counts_.empty()) return;
    if (counts_.back()++ > 0) out_ += ',';
  }
  void Value(const std::string& v) {
    Separate();
    out_ += v;
  }
  size_t Open() {
    Separate();
    size_t pos = out_.size();
    out_ += '[';
    counts_.push_back(0);
    return pos;
  }
  void Close() {
    out_ += ']';
    counts_.pop_back();
  }
  // Closes an array element; an element of exactly one field is unwrapped to that field.
  void CloseElement(size_t start) {
    if (counts_.back() == 1) {
      out_.erase(start, 1);
      counts_.pop_back();
    } else {
      Close();
    }
  }

  std::string out_;
  std::vector<int> counts_;
};

inline std::string JsonIo::Quote(const std::string& s) {
  static const char kHexDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\u00";
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

inline std::string JsonIo::Hex(kafka::BytesView v) {
  static const char kHexDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : v) {
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 15];
  }
  return out;
}

// Renders message `m` at `version` as JSON.
template <typename M>
std::string JsonDump(const M& m, int16_t version) {
  JsonIo io;
  M::Serde(io, m, version);
  return io.Finish();
}

}  // namespace el::golden
