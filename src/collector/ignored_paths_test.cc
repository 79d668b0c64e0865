#include "collector/ignored_paths.h"

#include <gtest/gtest.h>

namespace el::collector {
namespace {

using Paths = std::vector<std::string>;

TEST(IgnoredPathsTest, GlobMatchesAnyRunAtEachStar) {
  EXPECT_TRUE(GlobMatch("/favicon.ico", "/favicon.ico"));
  EXPECT_FALSE(GlobMatch("/favicon.ico", "/favicon.icon"));
  EXPECT_FALSE(GlobMatch("/favicon.ico", "/favicon.ic"));
  EXPECT_FALSE(GlobMatch("/favicon.ico", "/Favicon.ico"));  // paths are case-sensitive
  EXPECT_TRUE(GlobMatch("/apple-touch-icon*.png", "/apple-touch-icon.png"));
  EXPECT_TRUE(GlobMatch("/apple-touch-icon*.png", "/apple-touch-icon-120x120-precomposed.png"));
  EXPECT_FALSE(GlobMatch("/apple-touch-icon*.png", "/apple-touch-icon.png.bak"));
  EXPECT_TRUE(GlobMatch("/.well-known/*", "/.well-known/"));
  EXPECT_TRUE(GlobMatch("/.well-known/*", "/.well-known/acme-challenge/token"));  // '*' takes '/'
  EXPECT_FALSE(GlobMatch("/.well-known/*", "/.well-known"));
  EXPECT_TRUE(GlobMatch("/*", "/"));
  EXPECT_TRUE(GlobMatch("/a*b*c", "/aXbYbZc"));  // backtracks past the first 'b'
  EXPECT_FALSE(GlobMatch("/a*b*c", "/aXbYbZ"));
  EXPECT_TRUE(GlobMatch("/**", "/x"));
  EXPECT_TRUE(GlobMatch("", ""));
  EXPECT_FALSE(GlobMatch("", "/"));
}

TEST(IgnoredPathsTest, DefaultCoversWhatBrowsersAndCrawlersAskFor) {
  auto ignored = IgnoredPaths::Create(DefaultIgnoredPaths());
  ASSERT_TRUE(ignored.ok()) << ignored.status().ToString();
  for (const char* path : {"/favicon.ico", "/robots.txt", "/sitemap.xml", "/apple-touch-icon.png",
                           "/apple-touch-icon-precomposed.png", "/.well-known/security.txt",
                           "/browserconfig.xml", "/manifest.json", "/ads.txt", "/humans.txt"}) {
    EXPECT_TRUE(ignored->Matches(path)) << path;
  }
  for (const char* path : {"/", "/purchase_a_sword", "/favicon", "/robots.txt.old", "/login"}) {
    EXPECT_FALSE(ignored->Matches(path)) << path;
  }
  EXPECT_FALSE(IgnoredPaths().Matches("/favicon.ico"));
}

TEST(IgnoredPathsTest, ValuesReplaceTheDefaultAndNoneClearsIt) {
  EXPECT_EQ(*ResolveIgnoredPaths({}), DefaultIgnoredPaths());
  EXPECT_EQ(*ResolveIgnoredPaths({"none"}), Paths{});
  EXPECT_EQ(*ResolveIgnoredPaths({"/wp-login.php"}), Paths{"/wp-login.php"});
  EXPECT_EQ(*ResolveIgnoredPaths({"none", "/a", "/b*"}), (Paths{"/a", "/b*"}));
  Paths extended = DefaultIgnoredPaths();
  extended.push_back("/wp-*");
  EXPECT_EQ(*ResolveIgnoredPaths({"default", "/wp-*"}), extended);
}

TEST(IgnoredPathsTest, RefusesValuesThatCannotMatchAPath) {
  for (const char* bad : {"favicon.ico", "", "*.ico", "/search?q=1", "None"}) {
    auto resolved = ResolveIgnoredPaths({"/ok", bad});
    ASSERT_FALSE(resolved.ok()) << bad;
    EXPECT_EQ(resolved.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(resolved.status().message().find("'" + std::string(bad) + "'"), std::string::npos)
        << resolved.status().message();
  }
  EXPECT_FALSE(IgnoredPaths::Create({"robots.txt"}).ok());
  EXPECT_FALSE(IgnoredPaths::Create({"none"}).ok());  // words belong to the flag, not to patterns
}

}  // namespace
}  // namespace el::collector
