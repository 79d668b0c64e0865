// RecordReader over crafted RecordBatch v2 bytes: plain and compressed batches (every codec,
// snappy with and without the xerial framing), log-append time, offsets below the fetch offset,
// control batches and aborted transactions (read_committed), and corrupt or truncated input.
#include "clients/fetch/records.h"

#include <gtest/gtest.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <random>

#include "storage/test_batches.h"

namespace el::fetch {
namespace {

using storage::StoreBe16;
using storage::StoreBe32;
using storage::StoreBe64;
using storage::testing::MakeBatch;
using storage::testing::TestRecord;
using Bytes = std::vector<uint8_t>;

Bytes Gzip(const Bytes& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  Bytes out(deflateBound(&z, in.size()) + 32);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes SnappyRaw(const Bytes& in) {
  size_t n = snappy_max_compressed_length(in.size());
  Bytes out(n);
  EXPECT_EQ(snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(),
                            reinterpret_cast<char*>(out.data()), &n),
            SNAPPY_OK);
  out.resize(n);
  return out;
}

// snappy-java's framing: header, then chunks of [int32 length][raw block] (two chunks here).
Bytes SnappyXerial(const Bytes& in) {
  Bytes out = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  size_t half = in.size() / 2;
  for (Bytes part : {Bytes(in.begin(), in.begin() + static_cast<long>(half)),
                     Bytes(in.begin() + static_cast<long>(half), in.end())}) {
    Bytes block = SnappyRaw(part);
    uint8_t len[4];
    StoreBe32(len, static_cast<uint32_t>(block.size()));
    out.insert(out.end(), len, len + 4);
    out.insert(out.end(), block.begin(), block.end());
  }
  return out;
}

Bytes Lz4(const Bytes& in) {
  Bytes out(LZ4F_compressFrameBound(in.size(), nullptr));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr);
  EXPECT_FALSE(LZ4F_isError(n));
  out.resize(n);
  return out;
}

Bytes Zstd(const Bytes& in) {
  Bytes out(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// Recomputes the CRC of the batch at the start of `b` (as far as `b` holds it).
void FixCrc(Bytes& b) {
  size_t end = std::min<size_t>(b.size(), 12 + storage::LoadBe32(b.data() + 8));
  if (end <= storage::kBatchCrcStart) return;
  StoreBe32(b.data() + storage::kBatchCrcField,
            Crc32c(std::span<const uint8_t>(b).subspan(storage::kBatchCrcStart,
                                                       end - storage::kBatchCrcStart)));
}

struct Spec {
  int64_t base_offset = 0;
  int16_t attributes = 0;  // codec bits are set from `compress`
  int64_t producer_id = -1;
  Bytes (*compress)(const Bytes&) = nullptr;
  Codec codec = Codec::kNone;
};

// A batch of `records` at spec.base_offset, with its attributes, producer and codec.
Bytes Batch(const std::vector<TestRecord>& records, const Spec& spec) {
  Bytes b = MakeBatch(records, 1000, spec.base_offset);
  StoreBe16(b.data() + 21,
            static_cast<uint16_t>(spec.attributes | static_cast<int16_t>(spec.codec)));
  StoreBe64(b.data() + 43, static_cast<uint64_t>(spec.producer_id));
  if (spec.compress != nullptr) {
    Bytes body(b.begin() + storage::kBatchHeaderSize, b.end());
    Bytes packed = spec.compress(body);
    b.resize(storage::kBatchHeaderSize);
    b.insert(b.end(), packed.begin(), packed.end());
    StoreBe32(b.data() + 8, static_cast<uint32_t>(b.size() - 12));
  }
  FixCrc(b);
  return b;
}

// A control batch (one record, key = version 0 + type) of `producer_id` at `offset`.
Bytes Marker(int64_t offset, int64_t producer_id, bool commit) {
  std::string key{'\0', '\0', '\0', static_cast<char>(commit ? 1 : 0)};
  return Batch({{key, std::string("\0\0\0\0\0\0", 6)}}, {offset, 0x30, producer_id});
}

std::vector<TestRecord> Values(int n, const std::string& prefix = "v") {
  std::vector<TestRecord> out;
  for (int i = 0; i < n; ++i) out.push_back({std::nullopt, prefix + std::to_string(i)});
  return out;
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Read {
  std::vector<Record> records;
  std::vector<std::string> values;
  Status status;
};

Read ReadAll(const Bytes& bytes, int64_t fetch_offset = 0, std::vector<AbortedTxn> aborted = {}) {
  Decompressor d;
  RecordReader reader(&d);
  reader.Reset(3, fetch_offset, bytes, aborted);
  Read out;
  Record r;
  while (true) {
    Result<bool> more = reader.Next(r);
    if (!more.ok()) {
      out.status = more.status();
      break;
    }
    if (!*more) break;
    out.records.push_back(r);
    out.values.push_back(r.value ? std::string(*r.value) : "<null>");
  }
  return out;
}

std::vector<int64_t> Offsets(const Read& r) {
  std::vector<int64_t> out;
  for (const Record& rec : r.records) out.push_back(rec.offset);
  return out;
}

TEST(RecordReaderTest, PlainRecordsAreViewsIntoTheResponse) {
  Bytes b = Batch({{"k1", "a"}, {std::nullopt, "b"}, {"", ""}}, {5});
  Decompressor d;
  RecordReader reader(&d);
  reader.Reset(3, 0, b, {});
  Record r;
  ASSERT_TRUE(*reader.Next(r));
  EXPECT_EQ(r.partition, 3);
  EXPECT_EQ(r.offset, 5);
  EXPECT_EQ(r.timestamp_ms, 1000);
  EXPECT_FALSE(r.log_append_time);
  ASSERT_TRUE(r.key.has_value());
  EXPECT_EQ(*r.key, "k1");
  EXPECT_EQ(*r.value, "a");
  EXPECT_GE(reinterpret_cast<const uint8_t*>(r.value->data()), b.data());  // not a copy
  EXPECT_LT(reinterpret_cast<const uint8_t*>(r.value->data()), b.data() + b.size());
  ASSERT_TRUE(*reader.Next(r));
  EXPECT_EQ(r.offset, 6);
  EXPECT_EQ(r.timestamp_ms, 1001);
  EXPECT_FALSE(r.key.has_value());
  ASSERT_TRUE(*reader.Next(r));
  EXPECT_EQ(*r.key, "");
  EXPECT_EQ(*r.value, "");
  EXPECT_FALSE(*reader.Next(r));
  EXPECT_EQ(OffsetAfter(b), 8);
}

TEST(RecordReaderTest, LogAppendTimeStampsEveryRecordWithTheBatchTime) {
  Bytes b = MakeBatch({{std::nullopt, "x"}, {std::nullopt, "y"}}, 500, 0);
  StoreBe16(b.data() + 21, 0x08);
  StoreBe64(b.data() + 35, 7777);  // maxTimestamp: the broker's append time
  FixCrc(b);
  Read r = ReadAll(b);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_TRUE(r.records[0].log_append_time);
  EXPECT_EQ(r.records[0].timestamp_ms, 7777);
  EXPECT_EQ(r.records[1].timestamp_ms, 7777);
}

struct CodecCase {
  const char* name;
  Codec codec;
  Bytes (*compress)(const Bytes&);
};

class CodecTest : public ::testing::TestWithParam<CodecCase> {};

TEST_P(CodecTest, DecodesEveryRecordInOrder) {
  const CodecCase& c = GetParam();
  // Two compressed batches in a row: the second reuses the decompression buffer.
  Bytes bytes = Concat({Batch(Values(300, "a"), {0, 0, -1, c.compress, c.codec}),
                        Batch(Values(200, "b"), {300, 0, -1, c.compress, c.codec})});
  Read r = ReadAll(bytes, 0);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.values.size(), 500u);
  EXPECT_EQ(r.values[0], "a0");
  EXPECT_EQ(r.values[299], "a299");
  EXPECT_EQ(r.values[300], "b0");
  EXPECT_EQ(r.records[499].offset, 499);
  // A fetch from inside the first batch skips the records before it.
  Read mid = ReadAll(bytes, 250);
  ASSERT_TRUE(mid.status.ok());
  ASSERT_EQ(mid.records.size(), 250u);
  EXPECT_EQ(mid.records[0].offset, 250);
}

TEST_P(CodecTest, TruncatedCompressedDataIsAnError) {
  const CodecCase& c = GetParam();
  Bytes b = Batch(Values(50), {0, 0, -1, c.compress, c.codec});
  // Cut the compressed payload short, keeping the batch framing and CRC consistent.
  b.resize(b.size() - 10);
  StoreBe32(b.data() + 8, static_cast<uint32_t>(b.size() - 12));
  FixCrc(b);
  Read r = ReadAll(b);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << r.status.ToString();
  EXPECT_NE(r.status.message().find("partition 3"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, CodecTest,
    ::testing::Values(CodecCase{"gzip", Codec::kGzip, &Gzip},
                      CodecCase{"snappy", Codec::kSnappy, &SnappyRaw},
                      CodecCase{"snappy_xerial", Codec::kSnappy, &SnappyXerial},
                      CodecCase{"lz4", Codec::kLz4, &Lz4}, CodecCase{"zstd", Codec::kZstd, &Zstd}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RecordReaderTest, SkipsRecordsAndBatchesBelowTheFetchOffset) {
  Bytes bytes = Concat({Batch(Values(5, "a"), {0}), Batch(Values(5, "b"), {5})});
  Read r = ReadAll(bytes, 7);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(Offsets(r), (std::vector<int64_t>{7, 8, 9}));
  EXPECT_EQ(r.values.front(), "b2");
}

TEST(RecordReaderTest, ReadCommittedSkipsControlBatchesAndAbortedTransactions) {
  constexpr int16_t kTxn = 0x10;
  Bytes bytes = Concat({
      Batch(Values(2, "aborted"), {0, kTxn, 7}),    // 0-1: producer 7, aborted below
      Batch(Values(2, "committed"), {2, kTxn, 8}),  // 2-3: producer 8, committed
      Marker(4, 7, false),                          // 4: producer 7 aborts
      Marker(5, 8, true),                           // 5: producer 8 commits
      Batch(Values(1, "later"), {6, kTxn, 7}),      // 6: producer 7's next transaction
      Batch(Values(1, "plain"), {7, 0, 9}),         // 7: idempotent, not transactional
      Marker(8, 7, true),
  });
  Read r = ReadAll(bytes, 0, {{7, 0}});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.values, (std::vector<std::string>{"committed0", "committed1", "later0", "plain0"}));
  EXPECT_EQ(Offsets(r), (std::vector<int64_t>{2, 3, 6, 7}));
  // Without the aborted list (read_uncommitted, or nothing aborted) only control batches go.
  Read all = ReadAll(bytes, 0, {});
  EXPECT_EQ(all.records.size(), 6u);
  EXPECT_EQ(OffsetAfter(bytes), 9);
}

TEST(RecordReaderTest, APartialBatchAtTheEndIsTheBrokersCut) {
  Bytes bytes = Concat({Batch(Values(3), {0}), Batch(Values(3), {3})});
  bytes.resize(bytes.size() - 5);
  Read r = ReadAll(bytes);
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(Offsets(r), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(OffsetAfter(bytes), 3);
  EXPECT_EQ(OffsetAfter(Bytes(bytes.begin(), bytes.begin() + 30)), std::nullopt);
}

TEST(RecordReaderTest, CorruptInputIsAnErrorNamingThePartition) {
  Bytes good = Batch(Values(3), {10});
  Bytes bad_crc = good;
  bad_crc.back() ^= 0x40;
  Read r = ReadAll(bad_crc);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status.message().find("partition 3: offset 10"), std::string::npos)
      << r.status.ToString();

  Bytes bad_record = good;  // a record length past its batch, with a valid CRC
  bad_record[storage::kBatchHeaderSize] = 0x7e;
  FixCrc(bad_record);
  EXPECT_EQ(ReadAll(bad_record).status.code(), StatusCode::kDataLoss);

  Bytes old_format = good;
  old_format[16] = 1;
  EXPECT_EQ(ReadAll(old_format).status.code(), StatusCode::kInvalidArgument);

  Bytes bad_codec = good;
  StoreBe16(bad_codec.data() + 21, 6);
  FixCrc(bad_codec);
  EXPECT_FALSE(ReadAll(bad_codec).status.ok());
}

// Truncations and byte flips anywhere give records or an error, never a crash (run under ASan in
// the sanitizer build).
TEST(RecordReaderTest, ArbitraryDamageNeverCrashes) {
  Bytes base =
      Concat({Batch(Values(20), {0}), Batch(Values(20, "z"), {20, 0, -1, &Zstd, Codec::kZstd}),
              Batch(Values(20, "s"), {40, 0, -1, &SnappyXerial, Codec::kSnappy})});
  std::mt19937 rng(12345);
  for (int i = 0; i < 3000; ++i) {
    Bytes b = base;
    b.resize(rng() % (b.size() + 1));
    for (int flips = static_cast<int>(rng() % 4); flips > 0 && !b.empty(); --flips) {
      b[rng() % b.size()] = static_cast<uint8_t>(rng());
    }
    if (i % 2 == 0 && b.size() > storage::kBatchHeaderSize) FixCrc(b);  // reach past the CRC check
    Read r = ReadAll(b);
    EXPECT_LE(r.records.size(), 60u);
    (void)OffsetAfter(b);
  }
}

}  // namespace
}  // namespace el::fetch
