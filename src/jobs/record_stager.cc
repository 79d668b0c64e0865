#include "jobs/record_stager.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <iterator>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "base/json_text.h"

namespace el::jobs {
namespace {

constexpr std::string_view kEmptyKey = "_empty_key";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Whether `name` is a metadata column's name (case-insensitively, as DuckDB compares names).
bool IsMetaColumn(std::string_view name) {
  std::string lower = Lower(name);
  return std::find(std::begin(kMetaColumnNames), std::end(kMetaColumnNames), lower) != std::end(kMetaColumnNames);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

template <typename Int>
void AppendInt(std::string& out, Int value) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, res.ptr);
}

}  // namespace

std::string ToValidUtf8(std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view text) {
  ::el::AppendJsonString(out, ToValidUtf8(text));
}

RecordStager::RecordStager(std::string topic, std::filesystem::path spill_path, size_t memory_budget)
    : topic_(std::move(topic)), records_(std::move(spill_path), memory_budget) {}

Status RecordStager::Add(const RecordMeta& meta, std::string_view value) {
  std::string error;
  simdjson::dom::element doc;
  std::optional<std::string> quoted;  // `value` with out-of-range numbers as strings
  const std::string_view sent = value;
  if (value.empty()) {
    error = "empty value";
  } else if (static_cast<int64_t>(value.size()) > max_record_bytes_) {
    error = fmt::format("over the size limit: {} bytes > {}", value.size(), max_record_bytes_);
  } else if (auto err = parser_.parse(value.data(), value.size()).get(doc); err) {
    // Valid JSON whose numbers do not fit 64 bits lands with those numbers as text.
    if (err == simdjson::NUMBER_ERROR && (quoted = QuoteOutOfRangeNumbers(value)) &&
        !parser_.parse(quoted->data(), quoted->size()).get(doc)) {
      value = *quoted;
    } else {
      error = std::string("invalid JSON: ") + simdjson::error_message(err);
    }
  }
  if (error.empty() && !doc.is_object()) error = "JSON value is not an object";
  if (!error.empty()) {
    dead_letters_.push_back(DeadLetter{meta.partition, meta.offset, meta.timestamp_ms, meta.has_key,
                                       meta.has_key ? ToValidUtf8(meta.key) : std::string(),
                                       ToValidUtf8(sent), std::move(error)});
    return Status::Ok();
  }
  if (dedup_ != nullptr) {
    std::string_view id;
    if (!doc[dedup_field_].get(id) && dedup_->SeenOrAdd(id, meta.timestamp_ms)) {
      ++duplicates_;  // landed before (a client's retry that reached the log twice)
      return Status::Ok();
    }
  }
  key_seq_ = 0;
  simdjson::dom::object object = doc.get_object().value_unsafe();
  std::string_view staged = value;  // valid JSON whose keys are spelled as the table spells them
  if (!Inspect(object, true, schema_.get())) {
    key_seq_ = 0;  // CanonicalKey sees the record's keys again, in the same order
    line_.clear();
    WriteObject(object, true, schema_.get());
    staged = line_;
  }
  if (!group_field_.empty() && grouped_) {
    RecordMeta tagged = meta;
    tagged.tag = GroupOf(meta.partition, object, staged.data() != value.data());
    EL_RETURN_IF_ERROR(records_.Add(tagged, staged));
  } else {
    EL_RETURN_IF_ERROR(records_.Add(meta, staged));
  }
  ++good_;
  bytes_ += static_cast<int64_t>(staged.size());
  return Status::Ok();
}

uint32_t RecordStager::GroupOf(int32_t partition, simdjson::dom::object object, bool rewritten) {
  std::vector<std::string> names;  // the staged names, when they differ from the keys
  if (rewritten) {
    key_seq_ = 0;
    names = RewriteKeys(object, true);
  }
  std::optional<std::string_view> type;
  bool found = false;
  columns_.clear();
  size_t i = 0;
  for (auto field : object) {
    std::string_view name = rewritten ? std::string_view(names[i++]) : field.key;
    bool null = field.value.is_null();
    if (!null) columns_.push_back(name);
    if (found || !EqualsIgnoreCase(name, group_field_)) continue;
    found = true;
    if (field.value.is_string()) {
      std::string_view text = field.value.get_string().value_unsafe();
      if (!text.empty()) type = text;
    } else if (!null) {
      grouped_ = false;  // a number, object...: the table's type column is not text
      return 0;
    }
  }
  group_key_.assign(reinterpret_cast<const char*>(&partition), sizeof partition);
  group_key_ += type ? '+' : '-';
  if (type) group_key_ += *type;
  auto it = group_index_.find(group_key_);
  if (it == group_index_.end()) {
    if (groups_.size() >= kMaxGroups) {
      grouped_ = false;
      return 0;
    }
    it = group_index_.emplace(group_key_, static_cast<uint32_t>(groups_.size())).first;
    groups_.push_back(Group{partition, type ? std::optional<std::string>(*type) : std::nullopt, {}});
    group_last_columns_.emplace_back();
  }
  // Records of one type mostly have the same fields: the set grows only when they change.
  std::vector<std::string>& last = group_last_columns_[it->second];
  if (!std::equal(columns_.begin(), columns_.end(), last.begin(), last.end())) {
    last.assign(columns_.begin(), columns_.end());
    groups_[it->second].columns.insert(last.begin(), last.end());
  }
  return it->second;
}

const std::string& RecordStager::CanonicalKey(std::string_view key) {
  // SQL has no empty identifier (nor struct field name): an empty key is landed as kEmptyKey.
  // Control characters (NUL ends SQL text) become '_'.
  if (key.empty()) key = kEmptyKey;
  if (std::any_of(key.begin(), key.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
    key_buf_.assign(key);
    for (char& c : key_buf_) {
      if (static_cast<unsigned char>(c) < 0x20) c = '_';
    }
    key = key_buf_;
  }
  // Records of one topic tend to repeat their keys in the same order: the n-th key of this
  // record is first compared with the n-th key of the previous one.
  size_t n = key_seq_++;
  if (n < recent_keys_.size() && recent_keys_[n].first == key) return *recent_keys_[n].second;
  const std::string* canonical = nullptr;
  if (auto known = canonical_.find(key); known != canonical_.end()) {
    canonical = known->second;
  } else {
    std::string lower = Lower(key);
    auto it = spellings_.find(lower);
    if (it == spellings_.end()) it = spellings_.emplace(std::move(lower), std::string(key)).first;
    canonical = &it->second;
    canonical_.emplace(std::string(key), canonical);
  }
  if (n < kRecentKeys) {
    if (n >= recent_keys_.size()) recent_keys_.resize(n + 1);
    recent_keys_[n] = {std::string(key), canonical};
  }
  return *canonical;
}

std::vector<std::string> RecordStager::RewriteKeys(simdjson::dom::object object, bool top_level) {
  std::vector<std::string> names;
  std::set<std::string> used;  // lower-case names already given in this object
  for (auto field : object) {
    std::string name = CanonicalKey(field.key);
    if (top_level && IsMetaColumn(name)) name += "_value";
    std::string base = name;
    for (int n = 2; used.count(Lower(name)) != 0; ++n) name = base + "_" + std::to_string(n);
    used.insert(Lower(name));
    names.push_back(std::move(name));
  }
  return names;
}

bool RecordStager::WritableAsIs(const std::string* name, size_t base, bool top_level) const {
  if (top_level && !name->empty() && (*name)[0] == '_' && IsMetaColumn(*name)) return false;
  return std::find(names_.begin() + static_cast<std::ptrdiff_t>(base), names_.end(), name) == names_.end();
}

bool RecordStager::Inspect(simdjson::dom::object object, bool top_level, JsonType* node) {
  if (node != nullptr && !node->ObserveObject()) node = nullptr;
  size_t base = names_.size();
  bool as_is = true;
  for (auto field : object) {
    const std::string* name = &CanonicalKey(field.key);
    as_is = *name == field.key && names_.size() - base < kMaxFastKeys && WritableAsIs(name, base, top_level);
    if (!as_is) break;
    names_.push_back(name);
    if (!InspectValue(field.value, node != nullptr ? node->Field(*name) : nullptr)) {
      as_is = false;
      break;
    }
  }
  names_.resize(base);
  return as_is;
}

bool RecordStager::InspectValue(simdjson::dom::element value, JsonType* node) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT:
      return Inspect(value.get_object().value_unsafe(), false, node);
    case element_type::ARRAY: {
      JsonType* element = node != nullptr ? node->ObserveArray() : nullptr;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (auto item : array) {
        if (!InspectValue(item, element)) return false;
      }
      return true;
    }
    case element_type::STRING:
      if (node != nullptr) node->ObserveString(value.get_string().value_unsafe());
      return true;
    case element_type::INT64:
      if (node != nullptr) node->ObserveInteger();
      return true;
    case element_type::UINT64:  // above BIGINT's range
    case element_type::DOUBLE:
      if (node != nullptr) node->ObserveDouble();
      return true;
    case element_type::BOOL:
      if (node != nullptr) node->ObserveBoolean();
      return true;
    case element_type::NULL_VALUE:
      return true;
  }
  return false;
}

void RecordStager::WriteObject(simdjson::dom::object object, bool top_level, JsonType* node) {
  if (node != nullptr && !node->ObserveObject()) node = nullptr;
  // Fast path: the keys' canonical spellings are distinct (same spelling <=> same lower case)
  // and none is a metadata column, so every key is written as its canonical spelling.
  size_t base = names_.size();
  bool fast = true;
  for (auto field : object) {
    const std::string* name = &CanonicalKey(field.key);
    fast = WritableAsIs(name, base, top_level);
    names_.push_back(name);
    if (!fast || names_.size() - base > kMaxFastKeys) {
      fast = false;
      break;
    }
  }
  std::vector<std::string> slow_names;
  if (!fast) slow_names = RewriteKeys(object, top_level);
  line_ += '{';
  size_t i = 0;
  for (auto field : object) {
    const std::string& name = fast ? *names_[base + i] : slow_names[i];
    if (i++ > 0) line_ += ',';
    ::el::AppendJsonString(line_, name);
    line_ += ':';
    WriteValue(field.value, node != nullptr ? node->Field(name) : nullptr);
  }
  line_ += '}';
  names_.resize(base);
}

void RecordStager::WriteValue(simdjson::dom::element value, JsonType* node) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT:
      WriteObject(value.get_object().value_unsafe(), false, node);
      break;
    case element_type::ARRAY: {
      JsonType* element = node != nullptr ? node->ObserveArray() : nullptr;
      line_ += '[';
      bool first = true;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (auto item : array) {
        if (!first) line_ += ',';
        first = false;
        WriteValue(item, element);
      }
      line_ += ']';
      break;
    }
    case element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      if (node != nullptr) node->ObserveString(text);
      ::el::AppendJsonString(line_, text);
      break;
    }
    case element_type::INT64:
      if (node != nullptr) node->ObserveInteger();
      AppendInt(line_, value.get_int64().value_unsafe());
      break;
    case element_type::UINT64:  // above BIGINT's range
      if (node != nullptr) node->ObserveDouble();
      AppendInt(line_, value.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE: {
      if (node != nullptr) node->ObserveDouble();
      size_t start = line_.size();
      fmt::format_to(std::back_inserter(line_), "{}", value.get_double().value_unsafe());
      if (line_.find_first_of(".eEn", start) == std::string::npos) line_ += ".0";
      break;
    }
    case element_type::BOOL:
      if (node != nullptr) node->ObserveBoolean();
      line_ += value.get_bool().value_unsafe() ? "true" : "false";
      break;
    case element_type::NULL_VALUE:
      line_ += "null";
      break;
  }
}

}  // namespace el::jobs
