#include "objstore/s3_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "base/test_dirs.h"

namespace el::objstore {
namespace {

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(S3Config, FromEnvironmentVariables) {
  auto c = S3ConfigFromEnvironment(Env({{"AWS_ENDPOINT_URL", "http://127.0.0.1:7480/"},
                                        {"AWS_REGION", "eu-west-1"},
                                        {"AWS_ACCESS_KEY_ID", "AK"},
                                        {"AWS_SECRET_ACCESS_KEY", "SK"},
                                        {"AWS_SESSION_TOKEN", "TOK"}}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:7480");
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->credentials.session_token, "TOK");
  EXPECT_TRUE(c->path_style);  // a custom endpoint
}

TEST(S3Config, AwsDefaultsAndMissingCredentials) {
  auto c =
      S3ConfigFromEnvironment(Env({{"AWS_ACCESS_KEY_ID", "AK"}, {"AWS_SECRET_ACCESS_KEY", "SK"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(c->path_style);
  auto none = S3ConfigFromEnvironment(Env({}));
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  auto bad = S3ConfigFromEnvironment(Env({{"AWS_ENDPOINT_URL", "ftp://x"},
                                          {"AWS_ACCESS_KEY_ID", "AK"},
                                          {"AWS_SECRET_ACCESS_KEY", "SK"}}));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(S3Config, FromTheAwsFiles) {
  auto dir = test::FreshTestDir("s3config");
  std::ofstream(dir / "config") << "[default]\nregion = us-west-2\n[profile ceph]\nregion = "
                                   "default\nendpoint_url = http://127.0.0.1:8000\ns3 =\n  "
                                   "addressing_style = virtual\n";
  std::ofstream(dir / "credentials")
      << "[default]\naws_access_key_id = D\naws_secret_access_key = "
         "DS\n[ceph]\naws_access_key_id = C\naws_secret_access_key = CS\n";
  std::map<std::string, std::string> vars{
      {"AWS_CONFIG_FILE", (dir / "config").string()},
      {"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()},
      {"AWS_PROFILE", "ceph"}};
  auto c = S3ConfigFromEnvironment(Env(vars));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->credentials.access_key, "C");
  EXPECT_EQ(c->region, "default");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:8000");
  EXPECT_FALSE(c->path_style);
  vars.erase("AWS_PROFILE");
  vars["AWS_ACCESS_KEY_ID"] = "E";  // the environment wins over the files
  vars["AWS_SECRET_ACCESS_KEY"] = "ES";
  auto d = S3ConfigFromEnvironment(Env(vars));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->credentials.access_key, "E");
  EXPECT_EQ(d->region, "us-west-2");
}

}  // namespace
}  // namespace el::objstore
