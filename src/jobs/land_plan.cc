#include "jobs/land_plan.h"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "lake/listing.h"
#include "lake/names.h"

namespace el::jobs {

namespace fs = std::filesystem;

std::vector<OffsetRange> MergeRanges(std::vector<OffsetRange> ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const OffsetRange& a, const OffsetRange& b) { return a.first < b.first; });
  std::vector<OffsetRange> out;
  for (const OffsetRange& r : ranges) {
    if (!out.empty() && r.first <= out.back().last + 1) {
      out.back().last = std::max(out.back().last, r.last);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

Result<std::map<int32_t, std::vector<OffsetRange>>> HeldRanges(const fs::path& dir, const std::string& topic,
                                                               const lake::NextOffsets& next) {
  std::map<int32_t, std::vector<OffsetRange>> held;
  EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(dir));
  for (const fs::path& file : files) {
    auto range = lake::ParseDataFileName(topic, file.filename().string());
    if (range) held[range->partition].push_back({range->first, range->last});
  }
  for (auto& [p, ranges] : held) ranges = MergeRanges(std::move(ranges));
  for (const auto& [p, n] : next) {
    std::vector<OffsetRange>& ranges = held[p];
    if (ranges.empty()) {
      if (n > 0) ranges.push_back({0, n - 1});
    } else if (ranges.back().last < n - 1) {
      ranges.back().last = n - 1;
    }
  }
  std::erase_if(held, [](const auto& kv) { return kv.second.empty(); });
  return held;
}

AppendDecision DecideAppend(const std::vector<OffsetRange>& held, int64_t start, int64_t end,
                            bool explicit_start) {
  AppendDecision d;
  d.start = start;
  if (held.empty()) return d;
  if (!explicit_start) {
    int64_t lake_end = held.back().last + 1;
    if (lake_end > start) {
      d.start = lake_end;
      d.resumed = true;
    }
    return d;
  }
  for (const OffsetRange& r : held) {
    if (r.first < end && r.last >= start) {
      d.overlap = r;
      break;
    }
  }
  return d;
}

std::string OverlapMessage(const std::string& holder, const std::string& topic,
                           const std::map<int32_t, OffsetRange>& overlaps, int64_t lake_end) {
  std::string held;
  for (const auto& [p, r] : overlaps) {
    if (!held.empty()) held += ", ";
    held += fmt::format("{}..{} of topic {} partition {}", r.first, r.last, topic, p);
  }
  return fmt::format(
      "{} already holds offsets {}: append lands each offset once; give --from {} to land after "
      "them, or --mode overwrite to replace what {} holds",
      holder, held, lake_end, holder);
}

uint32_t Fnv1a32(const std::string& text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) hash = (hash ^ c) * 16777619u;
  return hash;
}

std::string NormalizedLakePath(const std::string& lake_dir) {
  std::string out;
  if (lake_dir.find("://") != std::string::npos) {
    out = lake_dir;
  } else {
    std::error_code ec;
    fs::path abs = fs::absolute(fs::path(lake_dir), ec);
    if (ec) abs = fs::path(lake_dir);
    fs::path canonical = fs::weakly_canonical(abs, ec);
    out = (ec ? abs.lexically_normal() : canonical.lexically_normal()).string();
  }
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string DefaultGroupName(const std::string& key, const std::string& lake_dir) {
  return fmt::format("eventlake-land-{}-{:08x}", key, Fnv1a32(NormalizedLakePath(lake_dir)));
}

}  // namespace el::jobs
