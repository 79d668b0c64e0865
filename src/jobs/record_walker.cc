#include "jobs/record_walker.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "base/json_text.h"
#include "jobs/record_buffer.h"

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
  return std::find(std::begin(kMetaColumnNames), std::end(kMetaColumnNames), lower) !=
         std::end(kMetaColumnNames);
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

const std::string* KeySpellings::Find(const std::string& lower) const {
  std::lock_guard lock(mu_);
  auto it = map_.find(lower);
  return it == map_.end() ? nullptr : &it->second;
}

const std::string* KeySpellings::Add(std::string lower, std::string_view spelling) {
  std::lock_guard lock(mu_);
  return &map_.try_emplace(std::move(lower), spelling).first->second;
}

bool KeySpellings::Agrees(const Map& later) const {
  std::lock_guard lock(mu_);
  return std::all_of(later.begin(), later.end(), [&](const auto& entry) {
    auto it = map_.find(entry.first);
    return it == map_.end() || it->second == entry.second;
  });
}

void KeySpellings::AddAll(const Map& later) {
  std::lock_guard lock(mu_);
  for (const auto& [lower, spelling] : later) map_.try_emplace(lower, spelling);
}

void RecordWalker::BeginRun(KeySpellings::Map* local) {
  local_ = local;
  recent_keys_.clear();
}

void RecordWalker::EndRun() {
  for (const std::string& key : local_keys_) canonical_.erase(key);
  local_keys_.clear();
  recent_keys_.clear();
  local_ = nullptr;
}

const std::string* RecordWalker::Spelling(std::string_view key) {
  std::string lower = Lower(key);
  if (local_ == nullptr) return spellings_.Add(std::move(lower), key);
  if (const std::string* known = spellings_.Find(lower)) return known;  // never changes: kept
  local_keys_.emplace_back(key);  // the run's own: forgotten at its end
  return &local_->try_emplace(std::move(lower), key).first->second;
}

std::string RecordWalker::Parse(std::string_view value, bool padded, int64_t max_record_bytes) {
  quoted_.reset();
  if (value.empty()) return "empty value";
  if (static_cast<int64_t>(value.size()) > max_record_bytes) {
    return fmt::format("over the size limit: {} bytes > {}", value.size(), max_record_bytes);
  }
  if (auto err = parser_.parse(value.data(), value.size(), !padded).get(doc_); err) {
    // Valid JSON whose numbers do not fit 64 bits lands with those numbers as text.
    if (err != simdjson::NUMBER_ERROR || !(quoted_ = QuoteOutOfRangeNumbers(value)) ||
        parser_.parse(quoted_->data(), quoted_->size()).get(doc_)) {
      return std::string("invalid JSON: ") + simdjson::error_message(err);
    }
    value = *quoted_;
  }
  if (!doc_.is_object()) return "JSON value is not an object";
  value_ = value;
  return {};
}

std::optional<std::string_view> RecordWalker::StringField(const std::string& field) const {
  std::string_view id;
  if (doc_[field].get(id)) return std::nullopt;
  return id;
}

std::string_view RecordWalker::Stage(JsonType* schema, bool* rewritten) {
  key_seq_ = 0;
  simdjson::dom::object object = doc_.get_object().value_unsafe();
  rewritten_ = !Inspect(object, true, schema);
  if (rewritten_) {
    key_seq_ = 0;  // CanonicalKey sees the record's keys again, in the same order
    line_.clear();
    WriteObject(object, true, schema);
  }
  *rewritten = rewritten_;
  return rewritten_ ? std::string_view(line_) : value_;
}

bool RecordWalker::GroupFields(const std::string& field, std::optional<std::string_view>* type,
                               std::vector<std::string_view>* columns) {
  simdjson::dom::object object = doc_.get_object().value_unsafe();
  if (rewritten_) {
    key_seq_ = 0;
    group_names_ = RewriteKeys(object, true);
  }
  type->reset();
  columns->clear();
  bool found = false;
  size_t i = 0;
  for (auto f : object) {
    std::string_view name = rewritten_ ? std::string_view(group_names_[i++]) : f.key;
    bool null = f.value.is_null();
    if (!null) columns->push_back(name);
    if (found || !EqualsIgnoreCase(name, field)) continue;
    found = true;
    if (f.value.is_string()) {
      std::string_view text = f.value.get_string().value_unsafe();
      if (!text.empty()) *type = text;
    } else if (!null) {
      return false;  // a number, object...: the table's type column is not text
    }
  }
  return true;
}

const std::string& RecordWalker::CanonicalKey(std::string_view key) {
  // SQL has no empty identifier (nor struct field name): an empty key is landed as kEmptyKey.
  // Control characters (NUL ends SQL text) become '_'.
  if (key.empty()) key = kEmptyKey;
  if (std::any_of(key.begin(), key.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20; })) {
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
    canonical = Spelling(key);
    canonical_.emplace(std::string(key), canonical);
  }
  if (n < kRecentKeys) {
    if (n >= recent_keys_.size()) recent_keys_.resize(n + 1);
    recent_keys_[n] = {std::string(key), canonical};
  }
  return *canonical;
}

std::vector<std::string> RecordWalker::RewriteKeys(simdjson::dom::object object, bool top_level) {
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

bool RecordWalker::WritableAsIs(const std::string* name, size_t base, bool top_level) const {
  if (top_level && !name->empty() && (*name)[0] == '_' && IsMetaColumn(*name)) return false;
  return std::find(names_.begin() + static_cast<std::ptrdiff_t>(base), names_.end(), name) ==
         names_.end();
}

bool RecordWalker::Inspect(simdjson::dom::object object, bool top_level, JsonType* node) {
  if (node != nullptr && !node->ObserveObject()) node = nullptr;
  size_t base = names_.size();
  bool as_is = true;
  for (auto field : object) {
    const std::string* name = &CanonicalKey(field.key);
    as_is = *name == field.key && names_.size() - base < kMaxFastKeys &&
            WritableAsIs(name, base, top_level);
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

bool RecordWalker::InspectValue(simdjson::dom::element value, JsonType* node) {
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

void RecordWalker::WriteObject(simdjson::dom::object object, bool top_level, JsonType* node) {
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

void RecordWalker::WriteValue(simdjson::dom::element value, JsonType* node) {
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
