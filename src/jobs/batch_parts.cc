#include "jobs/batch_parts.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "io/dir.h"
#include "lake/listing.h"
#include "lake/publish.h"

namespace el::jobs {

namespace fs = std::filesystem;

BatchParts::~BatchParts() {
  if (Status st = lake::Remove(root_); !st.ok()) spdlog::warn("cleanup: {}", st.message());
}

fs::path BatchParts::NextDir() { return root_ / fmt::format("part-{}", next_++); }

Result<std::vector<StagedTable>> BatchParts::Merge(duck::Connection& con) {
  // The tables in publish order, with every part's columns merged.
  std::vector<StagedTable> merged;
  auto find = [&](const std::string& name) {
    return std::find_if(merged.begin(), merged.end(), [&](const StagedTable& t) { return t.name == name; });
  };
  for (const std::vector<StagedTable>& part : parts_) {
    for (const StagedTable& t : part) {
      auto it = find(t.name);
      if (it == merged.end()) {
        StagedTable m = t;
        m.staging_dir = root_ / "all" / t.name;
        bool before_last = !merged.empty() && merged.back().name == last_table_;
        merged.insert(before_last ? merged.end() - 1 : merged.end(), std::move(m));
        continue;
      }
      it->columns = lake::MergeColumns(it->columns, t.columns);
      for (const auto& [folder, cols] : t.type_columns)
        it->type_columns[folder] = lake::MergeColumns(it->type_columns[folder], cols);
    }
  }
  // Each part's files move under the merged table's folder, rewritten first where a later part
  // widened a column's type beyond what they hold.
  for (size_t i = 0; i < parts_.size(); ++i) {
    for (const StagedTable& t : parts_[i]) {
      const StagedTable& m = *find(t.name);
      EL_ASSIGN_OR_RETURN(std::vector<fs::path> files, lake::ListDataFilesRecursive(t.staging_dir));
      if (t.columns != m.columns && !m.columns.empty()) {
        EL_ASSIGN_OR_RETURN(int rewritten,
                            lake::ConformFiles(con, files, m.columns, root_ / "_rewrite"));
        if (rewritten > 0) {
          spdlog::info("{}: {} file(s) of part {} rewritten in the types of the later parts", t.name,
                       rewritten, i);
        }
      }
      for (const fs::path& file : files) {
        fs::path target = m.staging_dir / file.lexically_relative(t.staging_dir);
        EL_RETURN_IF_ERROR(lake::MakeDirs(target.parent_path()));
        EL_RETURN_IF_ERROR(io::Rename(file.string(), target.string()));
      }
    }
  }
  for (const StagedTable& m : merged) EL_RETURN_IF_ERROR(lake::MakeDirs(m.staging_dir));
  return merged;
}

}  // namespace el::jobs
