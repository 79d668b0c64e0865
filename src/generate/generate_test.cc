#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <sstream>

#include "generate/assessments.h"
#include "generate/game_events.h"
#include "generate/json_writer.h"

namespace el::generate {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(GenerateTest, GameEventsAreDeterministicJsonObjects) {
  std::ostringstream a, b, c;
  GenerateGameEvents(200, 7, a);
  GenerateGameEvents(200, 7, b);
  GenerateGameEvents(200, 8, c);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_NE(a.str(), c.str());
  simdjson::dom::parser parser;
  std::map<std::string, int> types;
  int with_item = 0;
  for (const std::string& line : Lines(a.str())) {
    simdjson::dom::object obj;
    ASSERT_FALSE(parser.parse(line).get(obj)) << line;
    std::string_view type;
    ASSERT_FALSE(obj["event_type"].get(type));
    ++types[std::string(type)];
    simdjson::dom::object item;
    if (!obj["item"].get(item)) {
      ++with_item;
      EXPECT_TRUE(type.substr(0, 9) == "purchase_" || type == "buy_a_horse");
      double price = 0;
      EXPECT_FALSE(item["price"].get(price));
    }
  }
  EXPECT_EQ(Lines(a.str()).size(), 200u);
  EXPECT_GE(types.size(), 4u);
  EXPECT_GT(with_item, 50);
}

TEST(GenerateTest, ExamDistributionMatchesTheOriginalFile) {
  auto dist = ExamDistribution();
  EXPECT_EQ(dist.size(), 103u);
  int total = 0;
  for (const auto& [name, rows] : dist) total += rows;
  EXPECT_EQ(total, 3280);
  for (size_t i = 70; i < dist.size(); ++i) {
    EXPECT_GE(dist[i].second, 13) << dist[i].first;
    EXPECT_LE(dist[i].second, 51) << dist[i].first;
  }
}

TEST(GenerateTest, AssessmentsHaveConsistentCountsAndDistribution) {
  std::ostringstream a, b;
  GenerateAssessments(kAssessmentRecords, 1, a);
  GenerateAssessments(50, 1, b);
  EXPECT_EQ(a.str().substr(0, b.str().size()), b.str());
  simdjson::dom::parser parser;
  std::map<std::string, int> exams;
  auto lines = Lines(a.str());
  ASSERT_EQ(lines.size(), 3280u);
  for (const std::string& line : lines) {
    simdjson::dom::object obj;
    ASSERT_FALSE(parser.parse(line).get(obj)) << line;
    std::string_view exam, certification;
    ASSERT_FALSE(obj["exam_name"].get(exam));
    ASSERT_FALSE(obj["certification"].get(certification));
    EXPECT_EQ(certification, "false");
    ++exams[std::string(exam)];
    simdjson::dom::array questions;
    ASSERT_FALSE(obj["sequences"]["questions"].get(questions));
    int64_t total = 0, correct = 0, n_correct = 0;
    ASSERT_FALSE(obj["sequences"]["counts"]["total"].get(total));
    ASSERT_FALSE(obj["sequences"]["counts"]["correct"].get(correct));
    for (auto q : questions) {
      std::string_view result;
      ASSERT_FALSE(q["user_result"].get(result));
      n_correct += result == "correct";
    }
    EXPECT_EQ(total, static_cast<int64_t>(questions.size()));
    EXPECT_EQ(correct, n_correct);
  }
  EXPECT_EQ(exams.size(), 103u);
  EXPECT_EQ(exams["Learning Git"], 394);
  EXPECT_EQ(exams["Offline Web"], 13);
}

TEST(GenerateTest, IsoMillis) {
  EXPECT_EQ(IsoMillis(1516717399082), "2018-01-23T14:23:19.082Z");
}

}  // namespace
}  // namespace el::generate
