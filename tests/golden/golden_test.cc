// Golden request tests: every tests/golden/kafka/<api>_v<N>.bin is a request frame (header + body,
// without the size) recorded from a real client (tools/capture_golden.py). Each must decode with the
// request type of its api key, re-encode to the identical bytes, and render to the JSON stored beside
// it (<api>_v<N>.json). The JSON files are rewritten only with --update-golden or EL_UPDATE_GOLDEN=1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/request_types.h"
#include "golden/json_dump.h"
#include "kafka/protocol/codec.h"
#include "kafka/protocol/header.h"

namespace el::golden {
namespace {

namespace fs = std::filesystem;

bool g_update = false;

std::string ReadText(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> ReadBytes(const fs::path& p) {
  std::string s = ReadText(p);
  return {s.begin(), s.end()};
}

std::string HeaderJson(const kafka::RequestHeader& h) {
  return "{\"api_key\": " + std::to_string(h.api_key) + ", \"api_version\": " + std::to_string(h.api_version) +
         ", \"correlation_id\": " + std::to_string(h.correlation_id) +
         ", \"client_id\": " + (h.client_id ? JsonIo::Quote(*h.client_id) : std::string("null")) + "}";
}

// Decodes, re-encodes and renders one golden frame; failures are reported through gtest.
void CheckGolden(const fs::path& bin) {
  SCOPED_TRACE(bin.filename().string());
  std::vector<uint8_t> frame = ReadBytes(bin);
  auto decoded = kafka::DecodeRequestHeader(frame);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const kafka::RequestHeader& h = decoded->header;
  std::string json;
  bool known = fuzz::VisitRequestType(h.api_key, [&]<typename M>() {
    auto req = kafka::DecodeMessage<M>(decoded->body, h.api_version);
    ASSERT_TRUE(req.ok()) << req.status().ToString();
    kafka::Writer w(false);
    kafka::EncodeRequestHeader(w, h, decoded->flexible);
    kafka::EncodeMessage(w, *req, h.api_version);
    EXPECT_EQ(w.buffer(), frame) << "re-encoding differs from the recorded bytes";
    json = "{\"api\": \"" + std::string(kafka::ApiName(M::kApiKey)) + "\",\n \"header\": " + HeaderJson(h) +
           ",\n \"body\": " + JsonDump(*req, h.api_version) + "}\n";
  });
  ASSERT_TRUE(known) << "no request type for api key " << h.api_key;
  fs::path json_path = bin;
  json_path.replace_extension(".json");
  if (g_update) {
    std::ofstream(json_path, std::ios::binary | std::ios::trunc) << json;
    return;
  }
  ASSERT_TRUE(fs::exists(json_path)) << json_path << " missing: run golden_test --update-golden";
  EXPECT_EQ(ReadText(json_path), json);
}

std::vector<fs::path> GoldenFrames() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(EL_GOLDEN_DIR) / "kafka")) {
    if (e.path().extension() == ".bin") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(GoldenRequestTest, EveryRecordedFrameRoundTrips) {
  std::vector<fs::path> frames = GoldenFrames();
  ASSERT_FALSE(frames.empty());
  for (const fs::path& p : frames) CheckGolden(p);
}

TEST(GoldenRequestTest, EveryJsonHasItsFrame) {
  for (const auto& e : fs::directory_iterator(fs::path(EL_GOLDEN_DIR) / "kafka")) {
    if (e.path().extension() != ".json") continue;
    fs::path bin = e.path();
    EXPECT_TRUE(fs::exists(bin.replace_extension(".bin"))) << e.path() << " has no .bin";
  }
}

}  // namespace
}  // namespace el::golden

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update-golden") el::golden::g_update = true;
  }
  const char* env = std::getenv("EL_UPDATE_GOLDEN");
  if (env && std::string(env) == "1") el::golden::g_update = true;
  return RUN_ALL_TESTS();
}
