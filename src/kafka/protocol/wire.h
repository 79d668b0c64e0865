#pragma once
// Kafka wire primitives: a bounds-checked Reader and a growing Writer over big-endian bytes, with the
// classic (int16/int32 length) and flexible (KIP-482 compact, uvarint length + tagged fields) encodings.
//
// Both classes expose the same method names so one templated `Serde(io, msg, version)` per message
// describes its layout once and serves decode and encode. Reader errors are sticky: after the first
// failure every read is a no-op and status() reports what went wrong, so decoders never throw or CHECK on
// untrusted input. Not thread-safe; a Reader is a view and must not outlive the bytes it reads.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace el::kafka {

using BytesView = std::span<const uint8_t>;

class Reader {
 public:
  static constexpr bool kIsReader = true;
  Reader(BytesView data, bool flexible) : data_(data), flexible_(flexible) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  bool flexible() const { return flexible_; }
  void set_flexible(bool f) { flexible_ = f; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  BytesView rest() const { return data_.subspan(pos_); }

  void Int8(int8_t& v);
  void Int16(int16_t& v);
  void Int32(int32_t& v);
  void Int64(int64_t& v);
  void UInt32(uint32_t& v);
  void Bool(bool& v);
  void UVarint(uint32_t& v);
  void Varint(int32_t& v);   // zigzag (record format)
  void Varlong(int64_t& v);  // zigzag (record format)

  // STRING / COMPACT_STRING. A null where non-null is required is an error.
  void String(std::string& v);
  void NullableString(std::optional<std::string>& v);
  // BYTES / COMPACT_BYTES, as a view into the input or as a copy.
  void Bytes(BytesView& v);
  void Bytes(std::vector<uint8_t>& v);
  void NullableBytes(std::optional<BytesView>& v);
  // Skips a tagged-field section (flexible versions only; a no-op otherwise).
  void TaggedFields();
  // Reads a raw tagged-field section into (tag, bytes) pairs; used by tests and header decoding.
  void TaggedFields(std::vector<std::pair<uint32_t, std::vector<uint8_t>>>& out);

  // ARRAY / COMPACT_ARRAY: fn(element&) is called for each element. Null is an error for Array.
  template <typename T, typename Fn>
  void Array(std::vector<T>& v, Fn&& fn) {
    std::optional<int64_t> n = ArrayLength();
    if (!n) return;
    if (*n < 0) return Fail("null array where an array is required");
    FillArray(v, static_cast<size_t>(*n), fn);
  }
  template <typename T, typename Fn>
  void NullableArray(std::optional<std::vector<T>>& v, Fn&& fn) {
    std::optional<int64_t> n = ArrayLength();
    if (!n) return;
    if (*n < 0) {
      v.reset();
      return;
    }
    v.emplace();
    FillArray(*v, static_cast<size_t>(*n), fn);
  }

  void Fail(std::string what);

 private:
  bool Need(size_t n);
  std::optional<int64_t> ArrayLength();  // -1 for null; nullopt after an error
  // String or bytes length: -1 = null, -2 = error (already reported).
  int64_t Length(bool nullable_allowed, bool is_bytes);
  template <typename T, typename Fn>
  void FillArray(std::vector<T>& v, size_t n, Fn& fn) {
    // Every element takes at least one byte, so a count above the remaining bytes is malformed and is
    // refused before anything is allocated.
    // Elements are appended as they decode (not resized up front), so memory follows the bytes
    // actually present rather than a claimed count.
    if (n > remaining()) return Fail("array length " + std::to_string(n) + " exceeds the message");
    v.clear();
    v.reserve(std::min<size_t>(n, 1024));
    for (size_t i = 0; i < n && ok(); ++i) fn(v.emplace_back());
  }

  BytesView data_;
  size_t pos_ = 0;
  bool flexible_;
  Status status_;
};

class Writer {
 public:
  static constexpr bool kIsReader = false;
  explicit Writer(bool flexible) : flexible_(flexible) {}

  bool ok() const { return true; }
  bool flexible() const { return flexible_; }
  void set_flexible(bool f) { flexible_ = f; }
  size_t size() const { return buf_.size(); }
  std::vector<uint8_t>& buffer() { return buf_; }
  std::vector<uint8_t> Take() { return std::move(buf_); }

  void Int8(int8_t v);
  void Int16(int16_t v);
  void Int32(int32_t v);
  void Int64(int64_t v);
  void UInt32(uint32_t v);
  void Bool(bool v);
  void UVarint(uint32_t v);
  void Varint(int32_t v);
  void Varlong(int64_t v);
  void String(const std::string& v);
  void NullableString(const std::optional<std::string>& v);
  void Bytes(BytesView v);
  void Bytes(const std::vector<uint8_t>& v) { Bytes(BytesView(v)); }
  void NullableBytes(const std::optional<BytesView>& v);
  void TaggedFields();  // an empty section (flexible versions only)
  void TaggedFields(const std::vector<std::pair<uint32_t, std::vector<uint8_t>>>& fields);
  void Raw(BytesView v) { buf_.insert(buf_.end(), v.begin(), v.end()); }
  // Overwrites 4 bytes at `pos` with a big-endian int32 (frame sizes).
  void PatchInt32(size_t pos, int32_t v);

  template <typename T, typename Fn>
  void Array(const std::vector<T>& v, Fn&& fn) {
    ArrayLength(static_cast<int64_t>(v.size()));
    for (const T& e : v) fn(e);
  }
  template <typename T, typename Fn>
  void NullableArray(const std::optional<std::vector<T>>& v, Fn&& fn) {
    if (!v) return ArrayLength(-1);
    Array(*v, fn);
  }

 private:
  void ArrayLength(int64_t n);
  void Length(int64_t n);  // string/bytes length, -1 = null
  std::vector<uint8_t> buf_;
  bool flexible_;
};

}  // namespace el::kafka
