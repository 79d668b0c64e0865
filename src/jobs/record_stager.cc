#include "jobs/record_stager.h"

#include <cerrno>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "base/json_text.h"

namespace el::jobs {
namespace {

constexpr std::string_view kMetaColumns[] = {"_topic", "_partition", "_offset", "_timestamp", "_key"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Length of the valid UTF-8 sequence at text[i], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > text.size() || (len == 2 && c < 0xC2)) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  if (len == 3) {
    unsigned char c1 = byte(i + 1);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;
  }
  if (len == 4) {
    unsigned char c1 = byte(i + 1);
    if ((c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90) || c > 0xF4) return 0;
  }
  return len;
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

Result<RecordStager> RecordStager::Open(std::string topic, const std::filesystem::path& path) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return ErrnoError("create " + path.string(), errno);
  return RecordStager(std::move(topic), path, file);
}

RecordStager::RecordStager(std::string topic, std::filesystem::path path, FILE* file)
    : topic_(std::move(topic)), path_(std::move(path)), file_(file) {}

RecordStager::RecordStager(RecordStager&& other) noexcept
    : topic_(std::move(other.topic_)),
      path_(std::move(other.path_)),
      file_(std::exchange(other.file_, nullptr)),
      spellings_(std::move(other.spellings_)),
      dead_letters_(std::move(other.dead_letters_)),
      good_(other.good_),
      bytes_(other.bytes_),
      max_record_bytes_(other.max_record_bytes_) {}

RecordStager::~RecordStager() {
  if (file_ != nullptr) std::fclose(file_);
}

Status RecordStager::Add(const RecordMeta& meta, std::string_view value) {
  std::string error;
  simdjson::dom::element doc;
  if (value.empty()) {
    error = "empty value";
  } else if (static_cast<int64_t>(value.size()) > max_record_bytes_) {
    error = fmt::format("over the size limit: {} bytes > {}", value.size(), max_record_bytes_);
  } else if (auto err = parser_.parse(value.data(), value.size()).get(doc); err) {
    error = std::string("invalid JSON: ") + simdjson::error_message(err);
  } else if (!doc.is_object()) {
    error = "JSON value is not an object";
  }
  if (!error.empty()) {
    dead_letters_.push_back(DeadLetter{meta.partition, meta.offset, meta.timestamp_ms, meta.has_key,
                                       meta.has_key ? ToValidUtf8(meta.key) : std::string(),
                                       ToValidUtf8(value), std::move(error)});
    return Status::Ok();
  }
  line_.clear();
  line_ += "{\"_topic\":";
  AppendJsonString(line_, topic_);
  line_ += fmt::format(",\"_partition\":{},\"_offset\":{},\"_ts\":{},\"_key\":", meta.partition,
                       meta.offset, meta.timestamp_ms);
  if (meta.has_key) {
    AppendJsonString(line_, meta.key);
  } else {
    line_ += "null";
  }
  line_ += ",\"v\":";
  WriteObject(doc.get_object().value_unsafe(), true);
  line_ += "}\n";
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) {
    return ErrnoError("write " + path_.string(), errno);
  }
  ++good_;
  bytes_ += static_cast<int64_t>(line_.size());
  return Status::Ok();
}

const std::string& RecordStager::CanonicalKey(std::string_view key) {
  std::string lower = Lower(key);
  auto it = spellings_.find(lower);
  if (it == spellings_.end()) it = spellings_.emplace(std::move(lower), std::string(key)).first;
  return it->second;
}

void RecordStager::WriteObject(simdjson::dom::object object, bool top_level) {
  line_ += '{';
  std::set<std::string> used;  // lower-case names already emitted in this object
  bool first = true;
  for (auto field : object) {
    std::string name = CanonicalKey(field.key);
    if (top_level) {
      for (std::string_view meta : kMetaColumns) {
        if (Lower(name) == meta) name += "_value";
      }
    }
    std::string base = name;
    for (int n = 2; used.count(Lower(name)) != 0; ++n) name = base + "_" + std::to_string(n);
    used.insert(Lower(name));
    if (!first) line_ += ',';
    first = false;
    AppendJsonString(line_, name);
    line_ += ':';
    WriteValue(field.value, false);
  }
  line_ += '}';
}

void RecordStager::WriteValue(simdjson::dom::element value, bool top_level) {
  using simdjson::dom::element_type;
  switch (value.type()) {
    case element_type::OBJECT:
      WriteObject(value.get_object().value_unsafe(), top_level);
      break;
    case element_type::ARRAY: {
      line_ += '[';
      bool first = true;
      simdjson::dom::array array = value.get_array().value_unsafe();
      for (auto item : array) {
        if (!first) line_ += ',';
        first = false;
        WriteValue(item, false);
      }
      line_ += ']';
      break;
    }
    case element_type::STRING:
      AppendJsonString(line_, value.get_string().value_unsafe());
      break;
    case element_type::INT64:
      line_ += std::to_string(value.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      line_ += std::to_string(value.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE: {
      std::string text = fmt::format("{}", value.get_double().value_unsafe());
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      line_ += text;
      break;
    }
    case element_type::BOOL:
      line_ += value.get_bool().value_unsafe() ? "true" : "false";
      break;
    case element_type::NULL_VALUE:
      line_ += "null";
      break;
  }
}

Status RecordStager::Close() {
  if (file_ == nullptr) return Status::Ok();
  int rc = std::fclose(file_);
  file_ = nullptr;
  if (rc != 0) return ErrnoError("close " + path_.string(), errno);
  return Status::Ok();
}

}  // namespace el::jobs
