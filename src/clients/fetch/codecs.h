#pragma once
// Decompression of Kafka RecordBatch v2 payloads (the records after the 61-byte header), one codec
// per batch attribute value: gzip (zlib), snappy (a raw block, or the xerial framing Java clients
// write: "\x82SNAPPY\0" + version + compat, then [int32 length][block] chunks), lz4 (the LZ4 frame
// format) and zstd (one or more frames). Thread-compatible: one Decompressor per thread; it keeps
// its codec contexts and output buffer between calls, so steady state allocates nothing.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"

namespace el::fetch {

enum class Codec : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

std::string CodecName(Codec codec);

class Decompressor {
 public:
  Decompressor();
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Decompresses `in` (codec as given) into an internal buffer and returns a view of it, valid
  // until the next call. Output beyond `max_size` bytes is refused (a corrupt or hostile batch
  // cannot make it allocate without bound). Errors: DataLoss (corrupt or truncated input),
  // InvalidArgument (unknown codec), ResourceExhausted (output over `max_size`).
  Result<std::span<const uint8_t>> Decompress(Codec codec, std::span<const uint8_t> in,
                                              size_t max_size);

 private:
  Status Gzip(std::span<const uint8_t> in, size_t max_size);
  Status Snappy(std::span<const uint8_t> in, size_t max_size);
  Status SnappyBlock(std::span<const uint8_t> in, size_t max_size);  // appends to out_
  Status Lz4(std::span<const uint8_t> in, size_t max_size);
  Status Zstd(std::span<const uint8_t> in, size_t max_size);
  // Grows out_ so that at least `more` bytes are free past `used`; false beyond `max_size`.
  bool Reserve(size_t used, size_t more, size_t max_size);

  struct Contexts;
  std::unique_ptr<Contexts> ctx_;
  std::vector<uint8_t> out_;
  size_t size_ = 0;  // bytes of out_ holding output
};

}  // namespace el::fetch
