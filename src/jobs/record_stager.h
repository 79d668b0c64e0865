#pragma once
// RecordStager: turns Kafka records into the lander's staging input. A record whose value is a
// JSON object goes into records() (jobs/record_buffer.h) with its Kafka coordinates, as JSON text
// whose keys are rewritten so that DuckDB cannot refuse them as column or field names (see
// below; a value none of whose keys needs rewriting, on one line, goes in as it was sent);
// anything else (malformed, not an object, empty) becomes a DeadLetter with the reason.
// Key rewriting: DuckDB treats column and struct field names case-insensitively and refuses
// "Host" next to "host", so a key is spelled as the first spelling seen in this stager
// (case-insensitively), and a key that still repeats inside one object gets a "_2", "_3"...
// suffix; top-level keys that clash with the metadata columns get a "_value" suffix; the empty
// key becomes "_empty_key" (SQL has no empty column or struct field name) and control characters
// in keys become '_'.
// The same walk infers the type of every field over every record (jobs/json_schema.h): schema()
// is the type the batch writer loads the records with (jobs/record_loader.h).
// Threading: one thread.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "base/result.h"
#include "jobs/dedup_window.h"
#include "jobs/json_schema.h"
#include "jobs/record_buffer.h"

namespace el::jobs {

struct DeadLetter {
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  bool has_key = false;
  std::string key;    // valid UTF-8 (invalid bytes escaped as \xNN)
  std::string raw;    // the value as text, valid UTF-8
  std::string error;
};

class RecordStager {
 public:
  // Records beyond `memory_budget` bytes go to the spill file `spill_path` (jobs/record_buffer.h).
  RecordStager(std::string topic, std::filesystem::path spill_path, size_t memory_budget);
  RecordStager(const RecordStager&) = delete;
  RecordStager& operator=(const RecordStager&) = delete;

  // Values longer than this become dead letters "over the size limit".
  void set_max_record_bytes(int64_t bytes) { max_record_bytes_ = bytes; }
  // Drops a record whose string field `field` holds an id `window` knows (jobs/dedup_window.h);
  // records without the field are staged. `window` must outlive this stager.
  void set_dedup(std::string field, DedupWindow* window) {
    dedup_field_ = std::move(field);
    dedup_ = window;
  }
  // Groups the records by Kafka partition and the value of top-level field `field` (matched
  // case-insensitively, as the table matches its columns): each staged record's RecordMeta::tag
  // is its group's index in groups(), so that the default layout's files of one event type can be
  // read from the buffer alone (jobs/record_scan.h). Off by default (every tag 0).
  void set_group_field(std::string field) { group_field_ = std::move(field); }
  struct Group {
    int32_t partition = 0;
    std::optional<std::string> type;  // the field's string; null when absent, null or ""
    std::set<std::string> columns;    // top-level fields (as staged) with a non-null value
  };
  const std::vector<Group>& groups() const { return groups_; }
  // Whether the tags name the groups: false when grouping is off, or once a record's field held
  // something other than a string or null, or the groups grew past kMaxGroups.
  bool grouped() const { return !group_field_.empty() && grouped_; }
  static constexpr size_t kMaxGroups = 1024;

  // Stages one record; bad values go to dead_letters(). Errors: IOError (spill write failed).
  Status Add(const RecordMeta& meta, std::string_view value);

  int64_t good() const { return good_; }
  int64_t duplicates() const { return duplicates_; }  // records dropped by the dedup window
  int64_t bytes() const { return bytes_; }  // of the good records' JSON text
  const std::vector<DeadLetter>& dead_letters() const { return dead_letters_; }
  // The good records, their values as staged (keys rewritten).
  RecordBuffer& records() { return records_; }
  // The type of the staged objects over every good record so far.
  const JsonType& schema() const { return *schema_; }

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Observes `object`'s types as WriteObject would and tells whether its text can be staged as
  // it is: every key spelled as the table spells it (no rewriting needed). Stops at the first
  // key that needs rewriting (what it observed so far, WriteObject observes again: same types).
  bool Inspect(simdjson::dom::object object, bool top_level, JsonType* node);
  // Whether `name` (a CanonicalKey entry) can be written as it is in the object whose keys so far
  // are names_[base..]: not a metadata column at the top level, not given twice.
  bool WritableAsIs(const std::string* name, size_t base, bool top_level) const;
  bool InspectValue(simdjson::dom::element value, JsonType* node);
  void WriteValue(simdjson::dom::element value, JsonType* node);
  void WriteObject(simdjson::dom::object object, bool top_level, JsonType* node);
  // The rewritten names of `object`'s keys (rules above) for objects the fast path refuses.
  std::vector<std::string> RewriteKeys(simdjson::dom::object object, bool top_level);
  const std::string& CanonicalKey(std::string_view key);
  // The group of a staged record (`rewritten`: its keys were rewritten); sets grouped_ to false
  // when the record cannot be grouped.
  uint32_t GroupOf(int32_t partition, simdjson::dom::object object, bool rewritten);

  static constexpr size_t kRecentKeys = 256;
  static constexpr size_t kMaxFastKeys = 64;  // objects with more keys are rewritten, not inspected

  std::string topic_;
  RecordBuffer records_;
  simdjson::dom::parser parser_;
  std::string line_;  // a rewritten value
  std::unordered_map<std::string, std::string> spellings_;  // lower-case key -> first spelling
  // key as written -> its entry in spellings_ (node-based map: the pointers stay valid)
  std::unordered_map<std::string, const std::string*, KeyHash, std::equal_to<>> canonical_;
  // the n-th key of the previous record and its entry in spellings_ (n < kRecentKeys)
  std::vector<std::pair<std::string, const std::string*>> recent_keys_;
  size_t key_seq_ = 0;  // keys seen so far in the current record
  std::string key_buf_;  // CanonicalKey's copy of a key with control characters
  std::vector<const std::string*> names_;  // stack of the keys of the objects being written
  std::shared_ptr<JsonType> schema_ = std::make_shared<JsonType>();
  std::vector<DeadLetter> dead_letters_;
  int64_t good_ = 0;
  int64_t duplicates_ = 0;
  int64_t bytes_ = 0;
  std::string dedup_field_;
  DedupWindow* dedup_ = nullptr;
  std::string group_field_;
  bool grouped_ = true;
  std::vector<Group> groups_;
  std::unordered_map<std::string, uint32_t> group_index_;  // partition, type -> index in groups_
  std::vector<std::vector<std::string>> group_last_columns_;  // per group: the last record's
  std::vector<std::string_view> columns_;  // GroupOf's scratch: this record's non-null fields
  std::string group_key_;                   // GroupOf's scratch
  int64_t max_record_bytes_ = 1 << 20;
};

// Appends `text` as a JSON string literal (quotes included) to `out`; invalid UTF-8 bytes are
// written as the escaped text "\\xNN".
void AppendJsonString(std::string& out, std::string_view text);
// `text` with invalid UTF-8 bytes replaced by the text "\xNN".
std::string ToValidUtf8(std::string_view text);

}  // namespace el::jobs
