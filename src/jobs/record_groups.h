#pragma once
// RecordGroups: the groups of a batch's records by (Kafka partition, event type), in order of
// first appearance, with each group's non-null top-level fields (jobs/record_stager.h tags each
// record with its group's index). Groups of a later run of records (a chunk staged on another
// thread) merge in as if their records had been assigned here one by one.
// Threading: one thread at a time.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace el::jobs {

class RecordGroups {
 public:
  struct Group {
    int32_t partition = 0;
    std::optional<std::string> type;  // the field's string; null when absent, null or ""
    std::set<std::string> columns;    // top-level fields (as staged) with a non-null value
  };
  static constexpr size_t kMaxGroups = 1024;

  // The index of the group of a record of `partition` with event type `type` and non-null
  // fields `columns` (its columns added); nullopt when it would be group kMaxGroups + 1.
  std::optional<uint32_t> Assign(int32_t partition, std::optional<std::string_view> type,
                                 const std::vector<std::string_view>& columns);
  // Adds `later`'s groups (of records after these): (*index)[i] is the index here of its group
  // i. False, and nothing changed, when they would be more than kMaxGroups.
  bool Merge(const RecordGroups& later, std::vector<uint32_t>* index);

  const std::vector<Group>& groups() const { return groups_; }

 private:
  static std::string Key(int32_t partition, const std::optional<std::string_view>& type);
  uint32_t Find(const std::string& key, int32_t partition,
                const std::optional<std::string_view>& type);

  std::vector<Group> groups_;
  std::unordered_map<std::string, uint32_t> index_;     // partition, type -> index in groups_
  std::vector<std::vector<std::string>> last_columns_;  // per group: the last record's
  std::string key_;                                     // Assign's scratch
};

}  // namespace el::jobs
