// Replays every file under tests/fuzz/corpus/<target>/ and tests/fuzz/regressions/<target>/ through
// the fuzz entry points, in the regular (non-fuzz) build, so that seeds and past crashes stay fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/log.h"
#include "fuzz/entries.h"

namespace el::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> ReadBytes(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs `entry` on every regular file of <dir>/<target>; returns how many were replayed.
size_t ReplayDir(const fs::path& dir, Status (*entry)(Input)) {
  size_t n = 0;
  if (!fs::exists(dir)) return 0;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename().string().starts_with(".")) continue;
    if (e.path().filename() == "README.md") continue;
    std::vector<uint8_t> bytes = ReadBytes(e.path());
    Status s = entry(bytes);
    EXPECT_TRUE(s.ok()) << e.path() << ": " << s.ToString();
    ++n;
  }
  return n;
}

void ReplayTarget(const std::string& target, Status (*entry)(Input)) {
  spdlog::set_level(spdlog::level::err);
  fs::path root(EL_FUZZ_DIR);
  size_t seeds = ReplayDir(root / "corpus" / target, entry);
  ReplayDir(root / "regressions" / target, entry);
  EXPECT_GT(seeds, 0u) << "no seeds in " << (root / "corpus" / target);
}

TEST(FuzzCorpusTest, Request) { ReplayTarget("request", &RequestEntry); }
TEST(FuzzCorpusTest, Batch) { ReplayTarget("batch", &BatchEntry); }
TEST(FuzzCorpusTest, Recovery) { ReplayTarget("recovery", &RecoveryEntry); }
TEST(FuzzCorpusTest, Http) { ReplayTarget("http", &HttpEntry); }
TEST(FuzzCorpusTest, Job) { ReplayTarget("job", &JobEntry); }
TEST(FuzzCorpusTest, Schema) { ReplayTarget("schema", &SchemaEntry); }

}  // namespace
}  // namespace el::fuzz
