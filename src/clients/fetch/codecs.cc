#include "clients/fetch/codecs.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

namespace el::fetch {
namespace {

constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeader = 16;  // magic, int32 version, int32 compatible version
constexpr size_t kFirstGuess = 64 << 10;

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

Status Corrupt(Codec codec, const std::string& why) {
  return DataLoss("corrupt " + CodecName(codec) + " batch: " + why);
}

Status TooLarge(Codec codec, size_t max_size) {
  return ResourceExhausted(CodecName(codec) + " batch decompresses to more than " +
                           std::to_string(max_size) + " bytes");
}

}  // namespace

std::string CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "uncompressed";
    case Codec::kGzip:
      return "gzip";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kLz4:
      return "lz4";
    case Codec::kZstd:
      return "zstd";
  }
  return "codec " + std::to_string(static_cast<int>(codec));
}

struct Decompressor::Contexts {
  z_stream zlib{};
  bool zlib_ready = false;
  LZ4F_dctx* lz4 = nullptr;
  ZSTD_DCtx* zstd = nullptr;
  ~Contexts() {
    if (zlib_ready) inflateEnd(&zlib);
    if (lz4 != nullptr) LZ4F_freeDecompressionContext(lz4);
    if (zstd != nullptr) ZSTD_freeDCtx(zstd);
  }
};

Decompressor::Decompressor() : ctx_(std::make_unique<Contexts>()) {}
Decompressor::~Decompressor() = default;

bool Decompressor::Reserve(size_t used, size_t more, size_t max_size) {
  if (used + more <= out_.size()) return true;
  if (used >= max_size) return false;
  size_t want = std::max({out_.size() * 2, used + more, kFirstGuess});
  out_.resize(std::min(want, max_size));
  return true;
}

Result<std::span<const uint8_t>> Decompressor::Decompress(Codec codec, std::span<const uint8_t> in,
                                                          size_t max_size) {
  size_ = 0;
  Status st;
  switch (codec) {
    case Codec::kGzip:
      st = Gzip(in, max_size);
      break;
    case Codec::kSnappy:
      st = Snappy(in, max_size);
      break;
    case Codec::kLz4:
      st = Lz4(in, max_size);
      break;
    case Codec::kZstd:
      st = Zstd(in, max_size);
      break;
    default:
      return InvalidArgument("unknown compression codec " +
                             std::to_string(static_cast<int>(codec)));
  }
  if (!st.ok()) return st;
  return std::span<const uint8_t>(out_.data(), size_);
}

Status Decompressor::Gzip(std::span<const uint8_t> in, size_t max_size) {
  z_stream& z = ctx_->zlib;
  if (!ctx_->zlib_ready) {
    if (inflateInit2(&z, MAX_WBITS + 32) != Z_OK)
      return Internal("zlib: cannot initialise");  // gzip or zlib header
    ctx_->zlib_ready = true;
  } else {
    inflateReset(&z);
  }
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  while (true) {
    if (!Reserve(size_, kFirstGuess, max_size)) return TooLarge(Codec::kGzip, max_size);
    z.next_out = out_.data() + size_;
    z.avail_out = static_cast<uInt>(std::min<size_t>(out_.size() - size_, UINT32_MAX));
    uInt before = z.avail_out;
    int rc = inflate(&z, Z_NO_FLUSH);
    size_ += before - z.avail_out;
    if (rc == Z_STREAM_END) return Status::Ok();
    if (rc == Z_BUF_ERROR && z.avail_in == 0) return Corrupt(Codec::kGzip, "truncated");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return Corrupt(Codec::kGzip, z.msg != nullptr ? z.msg : "inflate failed");
  }
}

Status Decompressor::SnappyBlock(std::span<const uint8_t> in, size_t max_size) {
  const char* src = reinterpret_cast<const char*>(in.data());
  size_t len = 0;
  if (snappy_uncompressed_length(src, in.size(), &len) != SNAPPY_OK)
    return Corrupt(Codec::kSnappy, "bad length");
  if (len > max_size - std::min(max_size, size_)) return TooLarge(Codec::kSnappy, max_size);
  if (!Reserve(size_, len, max_size)) return TooLarge(Codec::kSnappy, max_size);
  size_t got = len;
  if (snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out_.data() + size_), &got) !=
      SNAPPY_OK) {
    return Corrupt(Codec::kSnappy, "bad block");
  }
  size_ += got;
  return Status::Ok();
}

Status Decompressor::Snappy(std::span<const uint8_t> in, size_t max_size) {
  if (in.size() < kXerialHeader || std::memcmp(in.data(), kXerialMagic, sizeof kXerialMagic) != 0) {
    return SnappyBlock(in, max_size);
  }
  // Xerial framing (snappy-java's SnappyOutputStream): chunks of [int32 length][raw block].
  size_t pos = kXerialHeader;
  while (pos < in.size()) {
    if (in.size() - pos < 4) return Corrupt(Codec::kSnappy, "truncated chunk length");
    size_t n = Be32(in.data() + pos);
    pos += 4;
    if (n > in.size() - pos) return Corrupt(Codec::kSnappy, "truncated chunk");
    Status st = SnappyBlock(in.subspan(pos, n), max_size);
    if (!st.ok()) return st;
    pos += n;
  }
  return Status::Ok();
}

Status Decompressor::Lz4(std::span<const uint8_t> in, size_t max_size) {
  if (ctx_->lz4 == nullptr) {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx_->lz4, LZ4F_VERSION)))
      return Internal("lz4: cannot initialise");
  } else {
    LZ4F_resetDecompressionContext(ctx_->lz4);
  }
  size_t pos = 0;
  while (true) {
    if (!Reserve(size_, kFirstGuess, max_size)) return TooLarge(Codec::kLz4, max_size);
    size_t out_n = out_.size() - size_;
    size_t in_n = in.size() - pos;
    size_t hint =
        LZ4F_decompress(ctx_->lz4, out_.data() + size_, &out_n, in.data() + pos, &in_n, nullptr);
    if (LZ4F_isError(hint)) return Corrupt(Codec::kLz4, LZ4F_getErrorName(hint));
    size_ += out_n;
    pos += in_n;
    if (hint == 0) return Status::Ok();  // frame complete
    if (pos == in.size() && out_n == 0) return Corrupt(Codec::kLz4, "truncated frame");
  }
}

Status Decompressor::Zstd(std::span<const uint8_t> in, size_t max_size) {
  if (ctx_->zstd == nullptr) {
    ctx_->zstd = ZSTD_createDCtx();
    if (ctx_->zstd == nullptr) return Internal("zstd: cannot initialise");
  } else {
    ZSTD_DCtx_reset(ctx_->zstd, ZSTD_reset_session_only);
  }
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t hint = 1;
  while (src.pos < src.size || hint != 0) {
    if (!Reserve(size_, kFirstGuess, max_size)) return TooLarge(Codec::kZstd, max_size);
    ZSTD_outBuffer dst{out_.data() + size_, out_.size() - size_, 0};
    hint = ZSTD_decompressStream(ctx_->zstd, &dst, &src);
    if (ZSTD_isError(hint)) return Corrupt(Codec::kZstd, ZSTD_getErrorName(hint));
    size_ += dst.pos;
    if (src.pos == src.size && hint != 0 && dst.pos < dst.size)
      return Corrupt(Codec::kZstd, "truncated frame");
  }
  return Status::Ok();
}

}  // namespace el::fetch
