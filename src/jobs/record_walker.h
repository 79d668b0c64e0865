#pragma once
// RecordWalker: the per-record half of RecordStager (jobs/record_stager.h): parses and checks one
// value, then walks it once to observe its types (jobs/json_schema.h), to find whether its keys
// need rewriting and to rewrite them (rules in record_stager.h), and to find its group fields.
// It keeps no result beyond the current record: the stager decides what to keep.
// KeySpellings: a stager's first spelling of every key, shared by its walkers.
// Threading: a walker is used by one thread at a time; KeySpellings is thread-safe. Lifetime: the
// KeySpellings must outlive its walkers.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "jobs/json_schema.h"

namespace el::jobs {

class KeySpellings {
 public:
  // Lower-case key -> its first spelling.
  using Map = std::unordered_map<std::string, std::string>;

  // The spelling of `lower`, or null when none is known. The entry's address stays valid.
  const std::string* Find(const std::string& lower) const;
  // The known spelling of `lower`, else `spelling`, which becomes it.
  const std::string* Add(std::string lower, std::string_view spelling);
  // Whether every spelling of `later` (of keys seen first after this table's) is this table's
  // spelling or new to it.
  bool Agrees(const Map& later) const;
  // Adds `later`'s spellings that are new.
  void AddAll(const Map& later);

 private:
  mutable std::mutex mu_;
  Map map_;  // node-based: entries keep their address
};

class RecordWalker {
 public:
  explicit RecordWalker(KeySpellings& spellings) : spellings_(spellings) {}
  RecordWalker(const RecordWalker&) = delete;
  RecordWalker& operator=(const RecordWalker&) = delete;

  // A run of records staged apart from the stager (a chunk): keys whose lower case `spellings_`
  // does not know yet are spelled as `local` spells them (first spelling in the run, added
  // there), not added to `spellings_`, until EndRun.
  void BeginRun(KeySpellings::Map* local);
  void EndRun();

  // Parses `value` (`padded`: followed by simdjson::SIMDJSON_PADDING readable bytes); returns
  // the reason it is a dead letter (size limit, malformed, not an object), or "" for an object.
  std::string Parse(std::string_view value, bool padded, int64_t max_record_bytes);
  // After a successful Parse: the parsed object's string field `field`, if it has one.
  std::optional<std::string_view> StringField(const std::string& field) const;
  // After a successful Parse: the text to stage (the value as parsed, or in a buffer of this
  // walker, valid until the next call, when its keys are rewritten), its types observed into
  // `schema`. `rewritten` tells which.
  std::string_view Stage(JsonType* schema, bool* rewritten);
  // After Stage: the record's group fields (`field` matched case-insensitively among the staged
  // top-level names): false when the field holds something other than a string or null; else
  // `type` is its non-empty string, and `columns` the staged names of the non-null fields (views
  // valid until the next call).
  bool GroupFields(const std::string& field, std::optional<std::string_view>* type,
                   std::vector<std::string_view>* columns);

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
  const std::string* Spelling(std::string_view key);

  static constexpr size_t kRecentKeys = 256;
  static constexpr size_t kMaxFastKeys = 64;  // objects with more keys are rewritten, not inspected

  KeySpellings& spellings_;
  KeySpellings::Map* local_ = nullptr;   // during a run: the run's own spellings
  std::vector<std::string> local_keys_;  // keys of canonical_ spelled by local_
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  std::optional<std::string> quoted_;  // the value with out-of-range numbers as strings
  std::string_view value_;             // the text parsed into doc_ (the caller's value or quoted_)
  bool rewritten_ = false;
  std::string line_;  // a rewritten value
  // key as written -> its spelling (an entry of spellings_ or local_)
  std::unordered_map<std::string, const std::string*, KeyHash, std::equal_to<>> canonical_;
  // the n-th key of the previous record and its spelling (n < kRecentKeys)
  std::vector<std::pair<std::string, const std::string*>> recent_keys_;
  size_t key_seq_ = 0;                     // keys seen so far in the current record
  std::string key_buf_;                    // CanonicalKey's copy of a key with control characters
  std::vector<const std::string*> names_;  // stack of the keys of the objects being written
  std::vector<std::string> group_names_;   // GroupFields' staged names of a rewritten record
};

}  // namespace el::jobs
