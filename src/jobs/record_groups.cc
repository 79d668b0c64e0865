#include "jobs/record_groups.h"

#include <algorithm>

namespace el::jobs {

std::string RecordGroups::Key(int32_t partition, const std::optional<std::string_view>& type) {
  std::string key(reinterpret_cast<const char*>(&partition), sizeof partition);
  key += type ? '+' : '-';
  if (type) key += *type;
  return key;
}

uint32_t RecordGroups::Find(const std::string& key, int32_t partition,
                            const std::optional<std::string_view>& type) {
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  index_.emplace(key, static_cast<uint32_t>(groups_.size()));
  groups_.push_back(Group{partition, type ? std::optional<std::string>(*type) : std::nullopt, {}});
  last_columns_.emplace_back();
  return static_cast<uint32_t>(groups_.size() - 1);
}

std::optional<uint32_t> RecordGroups::Assign(int32_t partition,
                                             std::optional<std::string_view> type,
                                             const std::vector<std::string_view>& columns) {
  key_ = Key(partition, type);
  if (groups_.size() >= kMaxGroups && index_.count(key_) == 0) return std::nullopt;
  uint32_t g = Find(key_, partition, type);
  // Records of one type mostly have the same fields: the set grows only when they change.
  std::vector<std::string>& last = last_columns_[g];
  if (!std::equal(columns.begin(), columns.end(), last.begin(), last.end())) {
    last.assign(columns.begin(), columns.end());
    groups_[g].columns.insert(last.begin(), last.end());
  }
  return g;
}

bool RecordGroups::Merge(const RecordGroups& later, std::vector<uint32_t>* index) {
  size_t added = 0;
  for (const Group& g : later.groups_) added += index_.count(Key(g.partition, g.type)) == 0 ? 1 : 0;
  if (groups_.size() + added > kMaxGroups) return false;
  index->clear();
  for (const Group& g : later.groups_) {
    uint32_t at = Find(Key(g.partition, g.type), g.partition, g.type);
    groups_[at].columns.insert(g.columns.begin(), g.columns.end());
    index->push_back(at);
  }
  return true;
}

}  // namespace el::jobs
