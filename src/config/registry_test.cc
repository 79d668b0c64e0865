#include "config/registry.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace el::config {
namespace {

// A small table shaped like the real one: two sections and a free-form one.
struct Fixture {
  int64_t max_body_bytes = 512000;
  std::chrono::milliseconds timeout{1000};
  double max_lag_s = 60;
  bool truncate_ip = false;
  std::string compression = "lz4";
  std::vector<std::string> write_keys;
  std::vector<std::string> partition_by;
  std::map<std::string, std::string> client;
  Registry registry;

  Fixture() {
    registry.Int("collector", "max_body_bytes", &max_body_bytes).Range(1, 1 << 30);
    registry.Millis("collector", "stall_timeout_ms", &timeout).Range(1, 3600000);
    registry.Bool("collector", "truncate_ip", &truncate_ip);
    registry.String("collector", "compression", &compression).Choices({"none", "lz4", "zstd"});
    registry.List("collector", "write_key", &write_keys).Validate([](const std::string& k) {
      return k.empty() ? InvalidArgument("a write key cannot be empty") : Status::Ok();
    });
    registry.Double("up", "max_lag_s", &max_lag_s).Range(0.001, 86400);
    registry.List("lander", "partition_by", &partition_by).Delimiter(',');
    registry.Open("kafka_client", &client, [](const std::string& key, const std::string&) {
      return key == "group.id" ? InvalidArgument("group.id is set by eventlake") : Status::Ok();
    });
  }

  std::vector<std::string> Problems(const std::string& toml) {
    std::vector<std::string> out;
    for (const Problem& p : registry.ApplyToml(toml, "e.toml")) out.push_back(p.ToString());
    return out;
  }
};

TEST(Registry, PrecedenceIsDefaultsThenFileThenFlagsThenEnvironment) {
  Fixture f;
  EXPECT_EQ(
      f.Problems(
          "[collector]\nmax_body_bytes = 1000\nstall_timeout_ms = 2000\n\n[up]\nmax_lag_s = 5\n"),
      std::vector<std::string>{});
  EXPECT_EQ(f.max_body_bytes, 1000);
  EXPECT_EQ(f.timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(f.max_lag_s, 5);
  Setting* body = f.registry.Find("collector", "max_body_bytes");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->source().ToString(), "file:e.toml:2");
  ASSERT_TRUE(body->SetText("3000", Source{Source::Type::kFlag, "--max-body-bytes", 0}).ok());
  EXPECT_EQ(f.max_body_bytes, 3000);
  EXPECT_EQ(body->source().ToString(), "flag --max-body-bytes");
  auto problems = f.registry.ApplyEnv({"EVENTLAKE_COLLECTOR_MAX_BODY_BYTES=4000", "PATH=/bin",
                                       "EVENTLAKE_CONFIG=/etc/x.toml", "EVENTLAKE_BIN=/x"});
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(f.max_body_bytes, 4000);
  EXPECT_EQ(body->source().ToString(), "env EVENTLAKE_COLLECTOR_MAX_BODY_BYTES");
  // Untouched settings keep their defaults.
  EXPECT_EQ(f.compression, "lz4");
  EXPECT_EQ(f.registry.Find("collector", "compression")->source().ToString(), "default");
  EXPECT_EQ(f.registry.Find("up", "max_lag_s")->source().ToString(), "file:e.toml:6");
}

TEST(Registry, EveryFileErrorHasItsLine) {
  Fixture f;
  auto problems = f.Problems(
      "max_lag_s = 3\n"  // 1: outside a section
      "[colector]\n"     // 2: unknown section, near collector
      "x = 1\n"
      "[collector]\n"
      "max_body_byte = 10\n"           // 5: unknown key, near max_body_bytes
      "stall_timeout_ms = \"fast\"\n"  // 6: wrong type
      "max_body_bytes = 0\n"           // 7: out of range
      "compression = \"brotli\"\n"     // 8: not a choice
      "write_key = [\"a\", 1]\n"       // 9: array with a non-string
      "truncate_ip = true\n"
      "[up]\n"
      "max_lag_s = 0.0\n"  // 12: out of range
      "[wat]\n");          // 13: unknown section, nothing near
  EXPECT_EQ(problems,
            (std::vector<std::string>{
                "e.toml:1: key max_lag_s is outside any section (did you mean [up] max_lag_s?)",
                "e.toml:2: unknown section [colector] (did you mean [collector]?)",
                "e.toml:5: [collector] max_body_byte: unknown key (did you mean max_body_bytes?)",
                "e.toml:6: [collector] stall_timeout_ms: wants an integer, got a string",
                "e.toml:7: [collector] max_body_bytes: 0 is out of range: it must be from 1 to "
                "1073741824",
                "e.toml:8: [collector] compression: 'brotli' is not one of none, lz4, zstd",
                "e.toml:9: [collector] write_key: wants an array of strings, got an array holding "
                "more than strings",
                "e.toml:12: [up] max_lag_s: 0 is out of range: it must be from 0.001 to 86400",
                "e.toml:13: unknown section [wat] (sections: collector, up, lander, kafka_client)",
            }));
  // The good values of a file with errors are still read (config check reports them all at once).
  EXPECT_TRUE(f.truncate_ip);
  EXPECT_EQ(f.max_body_bytes, 512000);
}

TEST(Registry, SyntaxErrorNamesItsLine) {
  Fixture f;
  auto problems = f.Problems("[collector]\nmax_body_bytes = 10\ncompression = \"lz4\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("e.toml:3: ", 0), 0u) << problems[0];
}

TEST(Registry, ChecksApplyToEveryListItem) {
  Fixture f;
  EXPECT_EQ(
      f.Problems("[collector]\nwrite_key = [\"k1\", \"\"]\n"),
      std::vector<std::string>{"e.toml:2: [collector] write_key: a write key cannot be empty"});
  EXPECT_TRUE(f.write_keys.empty());
  EXPECT_EQ(f.Problems("[collector]\nwrite_key = \"only\"\n"), std::vector<std::string>{});
  EXPECT_EQ(f.write_keys, std::vector<std::string>{"only"});
}

TEST(Registry, TextValuesOfFlagsAndVariables) {
  Fixture f;
  Source flag{Source::Type::kFlag, "--x", 0};
  Setting* lag = f.registry.Find("up", "max_lag_s");
  EXPECT_EQ(lag->SetText("-5", flag).message(),
            "-5 is out of range: it must be from 0.001 to 86400");
  EXPECT_EQ(lag->SetText("soon", flag).message(), "wants a number, got 'soon'");
  EXPECT_TRUE(lag->SetText("2.5", flag).ok());
  EXPECT_EQ(f.max_lag_s, 2.5);
  Setting* ip = f.registry.Find("collector", "truncate_ip");
  EXPECT_TRUE(ip->SetText("yes", flag).ok());
  EXPECT_TRUE(f.truncate_ip);
  EXPECT_EQ(ip->SetText("maybe", flag).message(), "wants true or false, got 'maybe'");
  Setting* by = f.registry.Find("lander", "partition_by");
  EXPECT_TRUE(by->SetText("dt, hour", flag).ok());
  EXPECT_EQ(f.partition_by, (std::vector<std::string>{"dt", "hour"}));
  EXPECT_TRUE(by->SetText("[\"dt\"]", flag).ok());
  EXPECT_EQ(f.partition_by, (std::vector<std::string>{"dt"}));
  Setting* body = f.registry.Find("collector", "max_body_bytes");
  EXPECT_EQ(body->SetText("12kb", flag).message(), "wants an integer, got '12kb'");
  EXPECT_EQ(body->EnvName(), "EVENTLAKE_COLLECTOR_MAX_BODY_BYTES");
  EXPECT_EQ(body->flag(), "--max-body-bytes");
}

TEST(Registry, EnvironmentErrorsNameTheVariableAndSuggest) {
  Fixture f;
  std::vector<std::string> out;
  for (const Problem& p :
       f.registry.ApplyEnv({"EVENTLAKE_COLLECTOR_MAX_BODY=5", "EVENTLAKE_UP_MAX_LAG_S=x",
                            "EVENTLAKE_KAFKA_CLIENT_GROUP_ID=g"})) {
    out.push_back(p.ToString());
  }
  EXPECT_EQ(out, (std::vector<std::string>{
                     "env EVENTLAKE_COLLECTOR_MAX_BODY: [collector] max_body: unknown key (did you "
                     "mean max_body_bytes?)",
                     "env EVENTLAKE_UP_MAX_LAG_S: [up] max_lag_s: wants a number, got 'x'",
                     "env EVENTLAKE_KAFKA_CLIENT_GROUP_ID: group.id is set by eventlake",
                 }));
}

TEST(Registry, FreeFormSectionTakesDottedKeysQuotedOrNot) {
  Fixture f;
  EXPECT_EQ(f.Problems("[kafka_client]\nsocket.timeout.ms = 30000\n\"client.id\" = \"lake\"\n"
                       "debug = false\ngroup.id = \"x\"\nbad = [1]\n"),
            (std::vector<std::string>{
                "e.toml:5: group.id is set by eventlake",
                "e.toml:6: [kafka_client] bad: wants a string, number or boolean, got an "
                "array holding more than strings"}));
  EXPECT_EQ(f.client,
            (std::map<std::string, std::string>{
                {"client.id", "lake"}, {"debug", "false"}, {"socket.timeout.ms", "30000"}}));
  EXPECT_TRUE(f.registry.ApplyEnv({"EVENTLAKE_KAFKA_CLIENT_SOCKET_TIMEOUT_MS=5000"}).empty());
  EXPECT_EQ(f.client["socket.timeout.ms"], "5000");
}

TEST(Registry, PrintShowsEveryValueAndItsSource) {
  Fixture f;
  EXPECT_TRUE(
      f.Problems("[collector]\nwrite_key = [\"a\", \"b\"]\n[kafka_client]\n\"client.id\" = \"c\"\n")
          .empty());
  EXPECT_TRUE(f.registry.ApplyEnv({"EVENTLAKE_UP_MAX_LAG_S=7.5"}).empty());
  std::string text = f.registry.Print();
  EXPECT_NE(text.find("[collector]\nmax_body_bytes = 512000  # default\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nwrite_key = [\"a\", \"b\"]   # file:e.toml:2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("max_lag_s = 7.5  # env EVENTLAKE_UP_MAX_LAG_S\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("\"client.id\" = \"c\"  # file:e.toml:4\n"), std::string::npos) << text;
  // What print writes reads back as the same configuration.
  Fixture g;
  EXPECT_EQ(g.Problems(text), std::vector<std::string>{});
  EXPECT_EQ(g.write_keys, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(g.max_lag_s, 7.5);
  EXPECT_EQ(g.client["client.id"], "c");
}

TEST(EditDistance, CountsEdits) {
  EXPECT_EQ(EditDistance("max_body_byte", "max_body_bytes"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

}  // namespace
}  // namespace el::config
