#include "jobs/job_spec.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace el::jobs {
namespace {

// A Kafka topic name: 1 to 249 of [A-Za-z0-9._-], neither "." nor "..".
bool IsTopicName(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// A job name names folders and files in the lake (staging, progress) and a consumer group: a topic
// name that is not hidden (no leading '_' or '.').
bool IsJobName(std::string_view name) {
  return IsTopicName(name) && name[0] != '_' && name[0] != '.';
}

bool ParseNumber(std::string_view text, int64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out >= 0;
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Reads `n` digits at text[pos]; false when absent.
bool Digits(std::string_view text, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

// ISO 8601: YYYY-MM-DD[(T| )hh:mm[:ss[.fff...]]][Z|(+|-)hh[:]mm]; no zone means UTC.
std::optional<int64_t> ParseIsoMillis(std::string_view t) {
  size_t p = 0;
  int64_t y, mo, d, h = 0, mi = 0, s = 0, ms = 0, zone_min = 0;
  if (!Digits(t, p, 4, y) || p >= t.size() || t[p++] != '-' || !Digits(t, p, 2, mo) ||
      p >= t.size() || t[p++] != '-' || !Digits(t, p, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  if (p < t.size() && (t[p] == 'T' || t[p] == ' ')) {
    ++p;
    if (!Digits(t, p, 2, h) || p >= t.size() || t[p++] != ':' || !Digits(t, p, 2, mi)) return std::nullopt;
    if (p < t.size() && t[p] == ':') {
      ++p;
      if (!Digits(t, p, 2, s)) return std::nullopt;
      if (p < t.size() && t[p] == '.') {
        ++p;
        int64_t scale = 100;
        size_t start = p;
        for (; p < t.size() && t[p] >= '0' && t[p] <= '9'; ++p, scale /= 10) ms += (t[p] - '0') * scale;
        if (p == start) return std::nullopt;
      }
    }
    if (p < t.size() && t[p] == 'Z') {
      ++p;
    } else if (p < t.size() && (t[p] == '+' || t[p] == '-')) {
      int64_t sign = t[p++] == '-' ? -1 : 1, zh = 0, zm = 0;
      if (!Digits(t, p, 2, zh)) return std::nullopt;
      if (p < t.size() && t[p] == ':') ++p;
      if (!Digits(t, p, 2, zm)) return std::nullopt;
      zone_min = sign * (zh * 60 + zm);
    }
  }
  if (p != t.size() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - zone_min * 60;
  return secs * 1000 + ms;
}

Status Bad(const std::string& origin, const std::string& what) {
  return InvalidArgument(origin + ": " + what);
}

Status CheckKeys(const toml::table& t, const std::set<std::string>& known, const std::string& origin,
                 const std::string& where) {
  for (const auto& [key, value] : t) {
    if (known.count(std::string(key.str())) == 0) {
      return Bad(origin, fmt::format("unknown key '{}' in {}", key.str(), where));
    }
  }
  return Status::Ok();
}

Result<RangeSpec> RangeFromNode(const toml::node& node, bool allow_earliest, const std::string& origin) {
  if (auto s = node.value<std::string>()) return ParseRangeText(*s, allow_earliest);
  if (auto n = node.value<int64_t>()) {
    if (*n < 0) return Bad(origin, "offsets must not be negative");
    return RangeSpec{RangeSpec::Kind::kOffset, *n, {}};
  }
  if (const toml::table* t = node.as_table(); t != nullptr && allow_earliest) {
    RangeSpec spec{RangeSpec::Kind::kPerPartition, 0, {}};
    for (const auto& [key, value] : *t) {
      int64_t partition = 0;
      auto offset = value.value<int64_t>();
      if (!ParseNumber(key.str(), partition) || partition > INT32_MAX || !offset || *offset < 0) {
        return Bad(origin, "'from' table must map partition numbers to offsets");
      }
      spec.partitions[static_cast<int32_t>(partition)] = *offset;
    }
    return spec;
  }
  if (auto dt = node.as_date_time()) {
    const toml::date_time& v = dt->get();
    std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", v.date.year, v.date.month,
                                   v.date.day, v.time.hour, v.time.minute, v.time.second,
                                   v.time.nanosecond / 1'000'000);
    EL_ASSIGN_OR_RETURN(RangeSpec spec, ParseRangeText(text, true));
    if (v.offset) spec.value -= int64_t{v.offset->minutes} * 60'000;
    return spec;
  }
  return Bad(origin, "bad range value (want earliest, latest, an offset, {partition = offset} or a timestamp)");
}

std::vector<std::string> StringList(const toml::node* node, bool& ok) {
  std::vector<std::string> out;
  ok = true;
  if (node == nullptr) return out;
  if (auto s = node->value<std::string>()) return {*s};
  const toml::array* a = node->as_array();
  if (a == nullptr) {
    ok = false;
    return out;
  }
  for (const toml::node& item : *a) {
    auto s = item.value<std::string>();
    if (!s) ok = false;
    else out.push_back(*s);
  }
  return out;
}

Result<OutputSpec> ParseOutput(const toml::table& t, const std::string& origin) {
  EL_RETURN_IF_ERROR(CheckKeys(t, {"table", "sql", "partition_by", "mode", "unnest", "parent_key"},
                               origin, "[[output]]"));
  OutputSpec out;
  out.table = t["table"].value_or(std::string());
  if (out.table.empty()) return Bad(origin, "every [[output]] needs a table name");
  for (char c : out.table) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return Bad(origin, "table name '" + out.table + "' may hold only letters, digits, '_' and '-'");
    }
  }
  if (out.table[0] == '_') return Bad(origin, "table names must not start with '_'");
  out.sql = t["sql"].value_or(out.sql);
  if (out.sql.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Bad(origin, "[[output]] " + out.table + ": sql must not be empty");
  }
  bool ok = true;
  out.partition_by = StringList(t.get("partition_by"), ok);
  if (!ok) return Bad(origin, "partition_by must be a list of column names");
  out.parent_key = StringList(t.get("parent_key"), ok);
  if (!ok) return Bad(origin, "parent_key must be a list of column names");
  out.unnest = t["unnest"].value_or(std::string());
  if (auto m = t["mode"].value<std::string>()) {
    EL_ASSIGN_OR_RETURN(out.mode, ParseWriteMode(*m));
  }
  return out;
}

Status ParseSource(const toml::table& src, JobSpec& job, const std::string& origin) {
  EL_RETURN_IF_ERROR(CheckKeys(src, {"topic", "topics", "from", "to", "follow", "event_time",
                                     "time_zone", "max_record_bytes", "mode"}, origin, "[source]"));
  bool ok = true;
  job.topics = StringList(src.get("topics") ? src.get("topics") : src.get("topic"), ok);
  if (!ok || job.topics.empty()) return Bad(origin, "[source] needs topic = \"name\" or topics = [...]");
  for (const std::string& topic : job.topics) {
    if (!IsTopicName(topic)) {
      return Bad(origin, "'" + topic + "' is not a topic name (1 to 249 letters, digits, '.', '_', '-')");
    }
  }
  if (const toml::node* n = src.get("from")) {
    EL_ASSIGN_OR_RETURN(job.from, RangeFromNode(*n, true, origin));
  }
  if (const toml::node* n = src.get("to")) {
    EL_ASSIGN_OR_RETURN(job.to, RangeFromNode(*n, false, origin));
  }
  if (job.to.kind != RangeSpec::Kind::kLatest && job.to.kind != RangeSpec::Kind::kOffset) {
    return Bad(origin, "'to' must be latest or an offset");
  }
  job.follow = src["follow"].value_or(false);
  job.event_time.field = src["event_time"].value_or(std::string());
  job.event_time.time_zone = src["time_zone"].value_or(std::string("UTC"));
  job.max_record_bytes = src["max_record_bytes"].value_or(job.max_record_bytes);
  if (job.max_record_bytes <= 0) return Bad(origin, "max_record_bytes must be positive");
  if (auto m = src["mode"].value<std::string>()) {
    EL_ASSIGN_OR_RETURN(job.mode, ParseWriteMode(*m));
  }
  return Status::Ok();
}

}  // namespace

Result<WriteMode> ParseWriteMode(const std::string& text) {
  if (text == "overwrite") return WriteMode::kOverwrite;
  if (text == "append") return WriteMode::kAppend;
  if (text == "error") return WriteMode::kError;
  return InvalidArgument("bad mode '" + text + "': expected overwrite, append or error");
}

Result<RangeSpec> ParseRangeText(const std::string& text, bool allow_earliest) {
  if (text == "earliest" && allow_earliest) return RangeSpec{RangeSpec::Kind::kEarliest, 0, {}};
  if (text == "latest") return RangeSpec{RangeSpec::Kind::kLatest, 0, {}};
  int64_t value = 0;
  if (ParseNumber(text, value)) return RangeSpec{RangeSpec::Kind::kOffset, value, {}};
  if (allow_earliest && text.size() > 2 && text.substr(text.size() - 2) == "ms" &&
      ParseNumber(std::string_view(text).substr(0, text.size() - 2), value)) {
    return RangeSpec{RangeSpec::Kind::kTimestamp, value, {}};
  }
  if (allow_earliest) {
    if (auto ms = ParseIsoMillis(text)) return RangeSpec{RangeSpec::Kind::kTimestamp, *ms, {}};
  }
  return InvalidArgument("bad offset '" + text + "': expected " +
                         (allow_earliest ? "earliest, latest, a timestamp (ISO 8601 or <ms>ms)"
                                         : "latest") +
                         " or a non-negative number");
}

Result<JobSpec> ParseJob(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Bad(origin, fmt::format("line {}: {}", e.source().begin.line, e.description()));
  }
  EL_RETURN_IF_ERROR(CheckKeys(root, {"name", "source", "output"}, origin, "the job file"));
  JobSpec job;
  job.name = root["name"].value_or(std::string());
  if (!job.name.empty() && !IsJobName(job.name)) {
    return Bad(origin, "job name '" + job.name +
                           "' may hold only letters, digits, '.', '_' and '-', not first '.' or '_'");
  }
  const toml::table* src = root["source"].as_table();
  if (src == nullptr) return Bad(origin, "missing [source] table");
  EL_RETURN_IF_ERROR(ParseSource(*src, job, origin));
  const toml::array* outputs = root["output"].as_array();
  if (outputs == nullptr || outputs->empty()) return Bad(origin, "a job needs at least one [[output]]");
  std::set<std::string> names;
  for (const toml::node& node : *outputs) {
    const toml::table* t = node.as_table();
    if (t == nullptr) return Bad(origin, "[[output]] entries must be tables");
    EL_ASSIGN_OR_RETURN(OutputSpec out, ParseOutput(*t, origin));
    if (!names.insert(out.table).second) return Bad(origin, "table " + out.table + " is written twice");
    job.outputs.push_back(std::move(out));
  }
  return job;
}

Result<JobSpec> LoadJobFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read job file " + path);
  std::stringstream text;
  text << in.rdbuf();
  EL_ASSIGN_OR_RETURN(JobSpec job, ParseJob(text.str(), path));
  if (job.name.empty()) {
    job.name = std::filesystem::path(path).stem().string();
    if (!IsJobName(job.name)) {
      return Bad(path, "the file name '" + job.name +
                           "' is no job name (letters, digits, '.', '_', '-'): set name = \"...\"");
    }
  }
  return job;
}

}  // namespace el::jobs
