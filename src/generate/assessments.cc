#include "generate/assessments.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "generate/json_writer.h"
#include "generate/rng.h"

namespace el::generate {
namespace {

constexpr int64_t kFirstStartMs = 1511224928990;  // 2017-11-21T00:42:08.990Z
constexpr int64_t kLastStartMs = 1517167073796;   // 2018-01-28T19:17:53.796Z
constexpr int kMiddleRows = 839;                  // rows of the 33 middle names

// Top 20 (descending) and bottom 50 (ascending) from schema.md; completions as given there.
const std::pair<const char*, int> kKnown[] = {
    {"Learning Git", 394}, {"Introduction to Python", 162}, {"Introduction to Java 8", 158},
    {"Intermediate Python Programming", 158}, {"Learning to Program with R", 128},
    {"Introduction to Machine Learning", 119},
    {"Software Architecture Fundamentals Understanding the Basics", 109},
    {"Beginning C# Programming", 95}, {"Learning Eclipse", 85}, {"Learning Apache Maven", 80},
    {"Beginning Programming with JavaScript", 79}, {"Mastering Git", 77},
    {"Introduction to Big Data", 75}, {"Advanced Machine Learning", 67},
    {"Learning Linux System Administration", 59}, {"JavaScript: The Good Parts", 58},
    {"Learning SQL", 57}, {"Practical Java Programming", 53}, {"HTML5 The Basics", 52},
    {"Python Epiphanies", 51},
    {"Learning to Visualize Data with D3.js", 1}, {"Nulls, Three-valued Logic and Missing Information", 1},
    {"Native Web Apps for Android", 1}, {"Operating Red Hat Enterprise Linux Servers", 1},
    {"Client-Side Data Storage for Web Developers", 2}, {"Understanding the Grails 3 Domain Model", 2},
    {"What's New in JavaScript", 2}, {"Arduino Prototyping Techniques", 2},
    {"Learning Spring Programming", 2}, {"The Closed World Assumption", 2},
    {"Hibernate and JPA Fundamentals", 2}, {"Using Web Components", 3}, {"Service Based Architectures", 3},
    {"Getting Ready for Angular 2", 3}, {"Building Web Services with Java", 3}, {"Mastering Web Views", 3},
    {"View Updating", 4}, {"Using Storytelling to Effectively Communicate Data", 4},
    {"Example Exam For Development and Testing oh yeahsdf", 5}, {"An Introduction to Set Theory", 5},
    {"Starting a Grails 3 Project", 5}, {"Modeling for Software Architects", 5},
    {"Introduction to Modern Front-End Development", 6}, {"Hadoop Fundamentals for Data Scientists", 6},
    {"Collaborating with Git", 6},
    {"Introduction to Amazon Web Services (AWS) - EC2 Deployment Fundamentals", 6},
    {"Data Science with Microsoft Azure and R", 7}, {"Normal Forms and All That Jazz Master Class", 7},
    {"Introduction to Apache Hive", 7}, {"Web & Native Working Together", 8},
    {"Introduction to Hadoop YARN", 8}, {"Nullology", 8}, {"Arduino Inputs", 8},
    {"Learning Data Modeling", 9}, {"Introduction to Apache Spark", 9},
    {"A Practical Introduction to React.js", 9}, {"Architectural Considerations for Hadoop Applications", 10},
    {"Event-Driven Microservices", 10}, {"Being a Better Introvert", 10}, {"Arduino Prototyping Basics", 10},
    {"Learning SQL for Oracle", 11}, {"Amazon Web Services - Virtual Private Cloud", 11},
    {"The Principles of Microservices", 11}, {"SQL: Beyond the Basics", 11},
    {"Learning Apache Cassandra", 12}, {"Amazon Web Services - Simple Storage Service", 12},
    {"Introduction to Apache Kafka", 13}, {"Introduction to Modern Client-Side Programming", 13},
    {"Learning Data Structures and Algorithms", 13}, {"Offline Web", 13},
};

// Middle-group names known from student outputs (counts unknown, between 13 and 51).
const char* const kMiddleKnown[] = {
    "I'm a Software Architect, Now What?", "Refactor a Monolithic Architecture into Microservices",
    "Git Fundamentals for Web Developers", "Python Data Structures", "Working with Algorithms in Python",
    "Learning iPython Notebook", "Great Bash", "Learning Apache Hadoop", "Learning C# Best Practices",
    "Introduction to Architecting Amazon Web Services",
};

// Stable per-name id derived from the name (FNV-1a), so every attempt of an exam shares it.
std::string NameUuid(const std::string& name, uint64_t salt) {
  uint64_t h = 1469598103934665603ULL ^ salt;
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ULL;
  return Rng(h).Uuid();
}

void WriteOptions(Rng& rng, JsonWriter& w, const std::string& result, int64_t& t_ms) {
  int64_t n = rng.Range(2, 6);
  int64_t n_correct = result == "missed_some" ? std::max<int64_t>(2, rng.Range(1, n)) : rng.Range(1, std::max<int64_t>(1, n - 1));
  n_correct = std::min(n_correct, n);
  int64_t wrong_pick = result == "incorrect" ? rng.Range(n_correct, n - 1) : -1;
  if (wrong_pick >= n) wrong_pick = -1;
  w.BeginArray("options");
  for (int64_t i = 0; i < n; ++i) {
    bool correct = i < n_correct;
    bool checked = result == "correct" ? correct
                 : result == "missed_some" ? (correct && i > 0 ? false : correct)
                 : result == "incorrect" ? (i == wrong_pick || (correct && rng.Chance(0.5)))
                                         : false;
    if (result == "incorrect" && wrong_pick < 0 && i == 0) checked = false;
    bool touched = checked || rng.Chance(0.1);
    w.BeginObject().Bool("checked", checked);
    if (touched) {
      t_ms += rng.Range(300, 12000);
      w.String("at", IsoMillis(t_ms));
    }
    w.String("id", rng.Uuid());
    if (checked) w.Int("submitted", 1);
    if (correct) w.Bool("correct", true);
    w.EndObject();
  }
  w.EndArray();
}

std::string Attempt(Rng& rng, const std::string& exam) {
  int64_t start_ms = rng.Range(kFirstStartMs, kLastStartMs);
  int64_t t_ms = start_ms;
  int64_t n_questions = rng.Range(4, 8);
  int64_t correct = 0, incorrect = 0, incomplete = 0, unanswered = 0;
  JsonWriter q;
  q.BeginArray("questions");
  for (int64_t i = 0; i < n_questions; ++i) {
    int64_t r = rng.Range(0, 99);
    std::string result = r < 55 ? "correct" : r < 75 ? "incorrect" : r < 93 ? "missed_some" : "unanswered";
    correct += result == "correct";
    incorrect += result == "incorrect";
    incomplete += result == "missed_some";
    unanswered += result == "unanswered";
    q.BeginObject().Bool("user_incomplete", result == "missed_some").Bool("user_correct", result == "correct");
    WriteOptions(rng, q, result, t_ms);
    q.Bool("user_submitted", result != "unanswered").String("id", rng.Uuid()).String("user_result", result);
    q.EndObject();
  }
  q.EndArray();
  double keen_s = static_cast<double>(t_ms + rng.Range(1000, 60000)) / 1000.0 + static_cast<double>(rng.Range(0, 999)) / 1e6;
  std::string keen = fmt::format("{:.6f}", keen_s);
  JsonWriter w;
  w.BeginObject()
      .String("keen_timestamp", keen)
      .String("max_attempts", "1.0")
      .String("started_at", IsoMillis(start_ms))
      .String("base_exam_id", NameUuid(exam, 1))
      .String("user_exam_id", rng.Uuid())
      .BeginObject("sequences");
  std::string head = w.str();
  JsonWriter tail;
  tail.Int("attempt", 1)
      .String("id", NameUuid(exam, 2))
      .BeginObject("counts")
      .Int("incomplete", incomplete).Int("submitted", n_questions - unanswered).Int("incorrect", incorrect)
      .Bool("all_correct", correct == n_questions).Int("correct", correct).Int("total", n_questions)
      .Int("unanswered", unanswered)
      .EndObject();
  JsonWriter rest;
  rest.String("keen_created_at", keen)
      .String("certification", "false")
      .String("keen_id", fmt::format("{:08x}", start_ms / 1000) + rng.Hex(16))
      .String("exam_name", exam);
  return head + q.str() + "," + tail.str() + "}," + rest.str() + "}";
}

}  // namespace

std::vector<std::pair<std::string, int>> ExamDistribution() {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& [name, rows] : kKnown) out.emplace_back(name, rows);
  // 33 middle names share 839 rows, between 13 and 51 each, descending.
  constexpr int kMiddle = 33;
  int assigned = 0;
  for (int i = 0; i < kMiddle; ++i) {
    std::string name = i < 10 ? kMiddleKnown[i] : fmt::format("Unrecovered Exam {:02}", i - 9);
    int rows = 13 + (25 * (kMiddle - 1 - i)) / (kMiddle - 1);
    if (i == kMiddle - 1) rows = kMiddleRows - assigned;
    assigned += rows;
    out.emplace_back(std::move(name), rows);
  }
  return out;
}

void GenerateAssessments(int64_t count, uint64_t seed, std::ostream& out) {
  Rng rng(seed);
  std::vector<std::string> deck;  // one exam name per original row, shuffled
  for (const auto& [name, rows] : ExamDistribution()) deck.insert(deck.end(), rows, name);
  for (size_t i = deck.size() - 1; i > 0; --i) std::swap(deck[i], deck[rng.Next() % (i + 1)]);
  std::map<std::string, std::string> last_by_exam;  // keeps the exam distribution exact
  for (int64_t i = 0; i < count; ++i) {
    const std::string& exam = deck[static_cast<size_t>(i) % deck.size()];
    std::string& last = last_by_exam[exam];
    bool duplicate = rng.Range(0, kAssessmentRecords - 1) < 38;  // the original has 38 such rows
    if (!duplicate || last.empty()) last = Attempt(rng, exam);
    out << last << '\n';
  }
}

}  // namespace el::generate
