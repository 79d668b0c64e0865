#include "kafka/protocol/wire.h"


namespace el::kafka {

// ---- Reader ----

void Reader::Fail(std::string what) {
  if (status_.ok()) {
    status_ = InvalidArgument("malformed message at byte " + std::to_string(pos_) + ": " + what);
  }
  pos_ = data_.size();
}

bool Reader::Need(size_t n) {
  if (!ok()) return false;
  if (remaining() < n) {
    Fail("need " + std::to_string(n) + " bytes, have " + std::to_string(remaining()));
    return false;
  }
  return true;
}

namespace {
template <typename U>
U LoadBigEndian(const uint8_t* p) {
  U v = 0;
  for (size_t i = 0; i < sizeof(U); ++i) v = static_cast<U>((v << 8) | p[i]);
  return v;
}
}  // namespace

void Reader::Int8(int8_t& v) {
  if (!Need(1)) return;
  v = static_cast<int8_t>(data_[pos_++]);
}
void Reader::Int16(int16_t& v) {
  if (!Need(2)) return;
  v = static_cast<int16_t>(LoadBigEndian<uint16_t>(&data_[pos_]));
  pos_ += 2;
}
void Reader::Int32(int32_t& v) {
  if (!Need(4)) return;
  v = static_cast<int32_t>(LoadBigEndian<uint32_t>(&data_[pos_]));
  pos_ += 4;
}
void Reader::UInt32(uint32_t& v) {
  if (!Need(4)) return;
  v = LoadBigEndian<uint32_t>(&data_[pos_]);
  pos_ += 4;
}
void Reader::Int64(int64_t& v) {
  if (!Need(8)) return;
  v = static_cast<int64_t>(LoadBigEndian<uint64_t>(&data_[pos_]));
  pos_ += 8;
}
void Reader::Bool(bool& v) {
  int8_t b = 0;
  Int8(b);
  v = b != 0;
}

void Reader::UVarint(uint32_t& v) {
  uint64_t value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (!Need(1)) return;
    uint8_t b = data_[pos_++];
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      if (value > UINT32_MAX) return Fail("unsigned varint overflows 32 bits");
      v = static_cast<uint32_t>(value);
      return;
    }
  }
  Fail("unsigned varint longer than 5 bytes");
}

void Reader::Varlong(int64_t& v) {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (!Need(1)) return;
    uint8_t b = data_[pos_++];
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      v = static_cast<int64_t>((value >> 1) ^ (~(value & 1) + 1));
      return;
    }
  }
  Fail("varlong longer than 10 bytes");
}

void Reader::Varint(int32_t& v) {
  int64_t wide = 0;
  size_t start = pos_;
  Varlong(wide);
  if (!ok()) return;
  if (pos_ - start > 5 || wide < INT32_MIN || wide > INT32_MAX) return Fail("varint out of range");
  v = static_cast<int32_t>(wide);
}

int64_t Reader::Length(bool nullable_allowed, bool is_bytes) {
  const char* what = is_bytes ? "bytes" : "string";
  int64_t len = -1;
  if (flexible_) {
    uint32_t n = 0;
    UVarint(n);
    len = static_cast<int64_t>(n) - 1;
  } else if (is_bytes) {
    int32_t n = 0;
    Int32(n);
    len = n;
  } else {
    int16_t n = 0;
    Int16(n);
    len = n;
  }
  if (!ok()) return -2;
  if (len < -1) {
    Fail(std::string("negative ") + what + " length");
    return -2;
  }
  if (len == -1 && !nullable_allowed) {
    Fail(std::string("null ") + what + " where a value is required");
    return -2;
  }
  if (len >= 0 && !Need(static_cast<size_t>(len))) return -2;
  return len;
}

void Reader::String(std::string& v) {
  int64_t len = Length(false, false);
  if (len < 0) return;
  v.assign(reinterpret_cast<const char*>(&data_[pos_]), static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
}

void Reader::NullableString(std::optional<std::string>& v) {
  int64_t len = Length(true, false);
  if (len == -2) return;
  if (len == -1) {
    v.reset();
    return;
  }
  v.emplace(reinterpret_cast<const char*>(&data_[pos_]), static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
}

void Reader::Bytes(BytesView& v) {
  int64_t len = Length(false, true);
  if (len < 0) return;
  v = data_.subspan(pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
}

void Reader::Bytes(std::vector<uint8_t>& v) {
  BytesView view;
  Bytes(view);
  if (ok()) v.assign(view.begin(), view.end());
}

void Reader::NullableBytes(std::optional<BytesView>& v) {
  int64_t len = Length(true, true);
  if (len == -2) return;
  if (len == -1) {
    v.reset();
    return;
  }
  v = data_.subspan(pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
}

void Reader::TaggedFields(std::vector<std::pair<uint32_t, std::vector<uint8_t>>>& out) {
  out.clear();
  if (!flexible_) return;
  uint32_t count = 0;
  UVarint(count);
  if (ok() && count > remaining()) return Fail("tagged field count exceeds the message");
  for (uint32_t i = 0; i < count && ok(); ++i) {
    uint32_t tag = 0, size = 0;
    UVarint(tag);
    UVarint(size);
    if (!Need(size)) return;
    out.emplace_back(tag, std::vector<uint8_t>(data_.begin() + pos_, data_.begin() + pos_ + size));
    pos_ += size;
  }
}

void Reader::TaggedFields() {
  if (!flexible_) return;
  uint32_t count = 0;
  UVarint(count);
  for (uint32_t i = 0; i < count && ok(); ++i) {
    uint32_t tag = 0, size = 0;
    UVarint(tag);
    UVarint(size);
    if (!Need(size)) return;
    pos_ += size;
  }
}

std::optional<int64_t> Reader::ArrayLength() {
  int64_t n = 0;
  if (flexible_) {
    uint32_t u = 0;
    UVarint(u);
    n = static_cast<int64_t>(u) - 1;
  } else {
    int32_t s = 0;
    Int32(s);
    n = s;
  }
  if (!ok()) return std::nullopt;
  if (n < -1) {
    Fail("negative array length");
    return std::nullopt;
  }
  return n;
}

// ---- Writer ----

namespace {
template <typename U>
void StoreBigEndian(std::vector<uint8_t>& buf, U v) {
  for (int i = static_cast<int>(sizeof(U)) - 1; i >= 0; --i) {
    buf.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
}
}  // namespace

void Writer::Int8(int8_t v) { buf_.push_back(static_cast<uint8_t>(v)); }
void Writer::Int16(int16_t v) { StoreBigEndian(buf_, static_cast<uint16_t>(v)); }
void Writer::Int32(int32_t v) { StoreBigEndian(buf_, static_cast<uint32_t>(v)); }
void Writer::UInt32(uint32_t v) { StoreBigEndian(buf_, v); }
void Writer::Int64(int64_t v) { StoreBigEndian(buf_, static_cast<uint64_t>(v)); }
void Writer::Bool(bool v) { buf_.push_back(v ? 1 : 0); }

void Writer::UVarint(uint32_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<uint8_t>(v));
}

void Writer::Varlong(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    buf_.push_back(static_cast<uint8_t>(z | 0x80));
    z >>= 7;
  }
  buf_.push_back(static_cast<uint8_t>(z));
}

void Writer::Varint(int32_t v) { Varlong(v); }

void Writer::Length(int64_t n) {
  // Only called for strings (int16) via String*, bytes handled in Bytes*.
  if (flexible_) {
    UVarint(static_cast<uint32_t>(n + 1));
  } else {
    Int16(static_cast<int16_t>(n));
  }
}

void Writer::String(const std::string& v) {
  Length(static_cast<int64_t>(v.size()));
  buf_.insert(buf_.end(), v.begin(), v.end());
}

void Writer::NullableString(const std::optional<std::string>& v) {
  if (!v) return Length(-1);
  String(*v);
}

void Writer::Bytes(BytesView v) {
  if (flexible_) {
    UVarint(static_cast<uint32_t>(v.size() + 1));
  } else {
    Int32(static_cast<int32_t>(v.size()));
  }
  Raw(v);
}

void Writer::NullableBytes(const std::optional<BytesView>& v) {
  if (v) return Bytes(*v);
  if (flexible_) {
    UVarint(0);
  } else {
    Int32(-1);
  }
}

void Writer::TaggedFields() {
  if (flexible_) UVarint(0);
}

void Writer::TaggedFields(const std::vector<std::pair<uint32_t, std::vector<uint8_t>>>& fields) {
  if (!flexible_) return;
  UVarint(static_cast<uint32_t>(fields.size()));
  for (const auto& [tag, data] : fields) {
    UVarint(tag);
    UVarint(static_cast<uint32_t>(data.size()));
    Raw(data);
  }
}

void Writer::ArrayLength(int64_t n) {
  if (flexible_) {
    UVarint(static_cast<uint32_t>(n + 1));
  } else {
    Int32(static_cast<int32_t>(n));
  }
}

void Writer::PatchInt32(size_t pos, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) buf_[pos + static_cast<size_t>(i)] = static_cast<uint8_t>(u >> (8 * (3 - i)));
}

}  // namespace el::kafka
