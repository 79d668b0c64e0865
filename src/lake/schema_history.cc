#include "lake/schema_history.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <simdjson.h>

#include "base/json_text.h"
#include "base/log.h"
#include "io/dir.h"
#include "lake/listing.h"
#include "lake/schema_type.h"

namespace el::lake {
namespace {

namespace fs = std::filesystem;

// The version file `file` (v<N>.json); nullopt (after a warning) when it cannot be read, does
// not parse, or holds another version than N.
std::optional<SchemaVersion> LoadVersionFile(const fs::path& file, int n) {
  simdjson::padded_string text;
  if (simdjson::padded_string::load(file.string()).get(text)) {
    spdlog::warn("skipping unreadable schema version {}", file.string());
    return std::nullopt;
  }
  Result<SchemaVersion> v = ParseSchemaVersion(std::string_view(text.data(), text.size()));
  if (!v.ok() || v->version != n) {
    spdlog::warn("skipping schema version {}: {}", file.string(),
                 v.ok() ? fmt::format("it says version {}", v->version) : v.status().message());
    return std::nullopt;
  }
  return std::move(v).value();
}

fs::path ConformedPath(const fs::path& table_dir) { return table_dir / "_schema" / "conformed"; }

}  // namespace

std::string SchemaVersionJson(const SchemaVersion& v) {
  std::string out = fmt::format("{{\"version\":{},\"created\":", v.version);
  AppendJsonString(out, v.created);
  out += ",\"columns\":[";
  for (size_t i = 0; i < v.columns.size(); ++i) {
    out += i == 0 ? "{\"name\":" : ",{\"name\":";
    AppendJsonString(out, v.columns[i].name);
    out += ",\"type\":";
    AppendJsonString(out, v.columns[i].type);
    out += "}";
  }
  out += "],\"changes\":[";
  for (size_t i = 0; i < v.changes.size(); ++i) {
    if (i > 0) out += ",";
    AppendJsonString(out, v.changes[i]);
  }
  return out + "]}\n";
}

Result<SchemaVersion> ParseSchemaVersion(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(text)).get(doc)) {
    return InvalidArgument("a schema version is not JSON");
  }
  SchemaVersion v;
  int64_t version = 0;
  std::string_view created;
  simdjson::dom::array columns, changes;
  if (doc["version"].get(version) || doc["created"].get(created) || doc["columns"].get(columns) ||
      doc["changes"].get(changes)) {
    return InvalidArgument("a schema version needs version, created, columns and changes");
  }
  if (version < 1 || version > std::numeric_limits<int>::max()) {
    return InvalidArgument(fmt::format("schema version {} is out of range", version));
  }
  v.version = static_cast<int>(version);
  v.created = std::string(created);
  for (simdjson::dom::element c : columns) {
    std::string_view name, type;
    if (c["name"].get(name) || c["type"].get(type) || name.empty() || type.empty()) {
      return InvalidArgument("a schema column needs a name and a type");
    }
    v.columns.push_back({std::string(name), std::string(type)});
  }
  for (simdjson::dom::element c : changes) {
    std::string_view text;
    if (c.get(text)) return InvalidArgument("schema changes are strings");
    v.changes.emplace_back(text);
  }
  return v;
}

std::string NowIso() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", now);
}

namespace {

// Version numbers of the files v<N>.json in `_schema`, highest first.
Result<std::vector<int>> VersionNumbers(const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(auto names, ListNames(table_dir / "_schema"));
  std::vector<int> out;
  for (const std::string& name : names) {
    if (name.size() < 7 || name[0] != 'v' || name.substr(name.size() - 5) != ".json") continue;
    int n = 0;
    auto [ptr, ec] = std::from_chars(name.data() + 1, name.data() + name.size() - 5, n);
    if (ec == std::errc() && ptr == name.data() + name.size() - 5 && n > 0) out.push_back(n);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

fs::path VersionFile(const fs::path& table_dir, int n) {
  return table_dir / "_schema" / fmt::format("v{}.json", n);
}

}  // namespace

Result<std::vector<SchemaVersion>> ReadSchemaHistory(const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(std::vector<int> versions, VersionNumbers(table_dir));
  std::vector<SchemaVersion> out;
  for (auto n = versions.rbegin(); n != versions.rend(); ++n) {
    if (auto v = LoadVersionFile(VersionFile(table_dir, *n), *n)) out.push_back(std::move(*v));
  }
  return out;
}

Result<std::optional<SchemaVersion>> ReadLatestSchema(const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(std::vector<int> versions, VersionNumbers(table_dir));
  for (int n : versions) {
    if (auto v = LoadVersionFile(VersionFile(table_dir, n), n)) return v;
  }
  return std::optional<SchemaVersion>{};
}

Result<std::optional<SchemaVersion>> ReadSchemaVersion(const fs::path& table_dir, int version) {
  fs::path file = VersionFile(table_dir, version);
  std::error_code ec;
  if (version <= 0 || !fs::exists(file, ec)) return std::optional<SchemaVersion>{};
  return LoadVersionFile(file, version);
}

std::string MergeTypeText(const std::string& a, const std::string& b) {
  if (a == b) return a;
  auto ta = SchemaType::Parse(a);
  auto tb = SchemaType::Parse(b);
  if (!ta.ok() || !tb.ok()) return "JSON";
  SchemaType merged = MergeTypes(*ta, *tb);
  return merged == *ta ? a : merged.ToString();  // the same type keeps its text as written
}

std::vector<SchemaColumn> MergeColumns(const std::vector<SchemaColumn>& known,
                                       const std::vector<SchemaColumn>& batch,
                                       std::vector<std::string>* changes) {
  std::vector<SchemaColumn> out = known;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < out.size(); ++i) index[out[i].name] = i;
  for (const SchemaColumn& c : batch) {
    auto it = index.find(c.name);
    if (it == index.end()) {
      index[c.name] = out.size();
      out.push_back(c);
      if (changes != nullptr) changes->push_back(fmt::format("added {} {}", c.name, c.type));
      continue;
    }
    SchemaColumn& col = out[it->second];
    std::string merged = MergeTypeText(col.type, c.type);
    if (merged != col.type) {
      if (changes != nullptr)
        changes->push_back(fmt::format("{} {} -> {}", c.name, col.type, merged));
      col.type = merged;
    }
  }
  return out;
}

Status WriteSchemaVersion(const fs::path& table_dir, const SchemaVersion& v) {
  EL_RETURN_IF_ERROR(MakeDirs(table_dir / "_schema"));
  return io::WriteFileDurably(VersionFile(table_dir, v.version).string(), SchemaVersionJson(v));
}

Result<int> ReadConformedVersion(const fs::path& table_dir) {
  fs::path path = ConformedPath(table_dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) return 0;
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return IOError("cannot read " + path.string());
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  int version = 0;
  auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), version);
  if (err != std::errc() || ptr != s.data() + s.size()) return 0;  // unreadable: check every file
  return version;
}

Status WriteConformedVersion(const fs::path& table_dir, int version) {
  return io::WriteFileDurably(ConformedPath(table_dir).string(), std::to_string(version) + "\n");
}

fs::path SchemaLockPath(const fs::path& table_dir) { return table_dir / "_schema" / ".lock"; }

}  // namespace el::lake
