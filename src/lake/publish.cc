#include "lake/publish.h"

#include <fcntl.h>
#include <unistd.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "base/log.h"
#include "io/dir.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/locks.h"
#include "lake/names.h"
#include "lake/schema_type.h"

namespace el::lake {
namespace {

namespace fs = std::filesystem;

const SchemaColumn* Find(const std::vector<SchemaColumn>& cols, const std::string& name) {
  for (const SchemaColumn& c : cols) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// Whether data holding columns `have` must be rewritten to be read with the types of `want`.
bool NeedsRewrite(const std::vector<SchemaColumn>& have, const std::vector<SchemaColumn>& want) {
  for (const SchemaColumn& c : have) {
    const SchemaColumn* w = Find(want, c.name);
    if (w == nullptr || w->type == c.type) continue;
    auto from = SchemaType::Parse(c.type);
    auto to = SchemaType::Parse(w->type);
    if (!from.ok() || !to.ok() || CompareTypes(*from, *to) == TypeChange::kRewrite) return true;
  }
  return false;
}

std::string ReadParquet(const fs::path& file) {
  return fmt::format("read_parquet({}, hive_partitioning=false)",
                     duck::QuoteLiteral(file.string()));
}

}  // namespace

Result<int> ConformFiles(duck::Connection& con, const std::vector<fs::path>& files,
                         const std::vector<SchemaColumn>& want, const fs::path& scratch) {
  int rewritten = 0;
  std::set<fs::path> dirs;
  for (const fs::path& file : files) {
    EL_ASSIGN_OR_RETURN(auto have, DescribeSelect(con, "SELECT * FROM " + ReadParquet(file)));
    if (!NeedsRewrite(have, want)) continue;
    if (rewritten == 0) EL_RETURN_IF_ERROR(MakeDirs(scratch));
    fs::path tmp = scratch / fmt::format("rewrite-{}.parquet", rewritten);
    Status st =
        con.Exec(fmt::format("COPY (SELECT {} FROM {}) TO {} ({})", ConvertList(have, want),
                             ReadParquet(file), duck::QuoteLiteral(tmp.string()), kParquetOptions));
    if (!st.ok()) return Internal("cannot rewrite " + file.string() + ": " + st.message());
    EL_RETURN_IF_ERROR(io::Rename(tmp.string(), file.string()));
    dirs.insert(file.parent_path());
    ++rewritten;
  }
  for (const fs::path& dir : dirs) EL_RETURN_IF_ERROR(SyncDir(dir));
  return rewritten;
}

namespace {

Status TouchSuccess(const fs::path& dir) {
  fs::path success = dir / "_SUCCESS";
  int fd = ::open(success.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("create " + success.string(), errno);
  ::close(fd);
  return Status::Ok();
}

// Removes partition folders under `table_dir` that hold no visible data file any more.
Status RemoveEmptyPartitions(const fs::path& table_dir) {
  EL_ASSIGN_OR_RETURN(auto dirs, ListPartitionDirs(table_dir));
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {  // children before parents
    EL_ASSIGN_OR_RETURN(auto files, ListDataFilesRecursive(*it));
    if (files.empty()) EL_RETURN_IF_ERROR(Remove(*it));
  }
  return Status::Ok();
}

// Moves every file of `staging_dir` into `table_dir` (see the header, step 3).
Result<int64_t> MoveStaged(const fs::path& staging_dir, const fs::path& table_dir, bool replace) {
  std::set<fs::path> moved;
  std::set<fs::path> dirs{table_dir};
  EL_RETURN_IF_ERROR(MakeDirs(table_dir));
  EL_ASSIGN_OR_RETURN(auto staged, ListDataFilesRecursive(staging_dir));
  for (const fs::path& file : staged) {
    fs::path target = table_dir / file.lexically_relative(staging_dir);
    if (dirs.insert(target.parent_path()).second)
      EL_RETURN_IF_ERROR(MakeDirs(target.parent_path()));
    EL_RETURN_IF_ERROR(io::Rename(file.string(), target.string()));
    moved.insert(target);
  }
  if (replace) {
    EL_ASSIGN_OR_RETURN(auto all, ListDataFilesRecursive(table_dir));
    for (const fs::path& old : all) {
      if (moved.count(old) == 0) EL_RETURN_IF_ERROR(Remove(old));
    }
    EL_RETURN_IF_ERROR(RemoveEmptyPartitions(table_dir));
  }
  for (const fs::path& dir : dirs) EL_RETURN_IF_ERROR(TouchSuccess(dir));
  EL_RETURN_IF_ERROR(Remove(staging_dir));
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) EL_RETURN_IF_ERROR(SyncDir(*it));
  if (!table_dir.parent_path().empty()) EL_RETURN_IF_ERROR(SyncDir(table_dir.parent_path()));
  return static_cast<int64_t>(moved.size());
}

// Step 1: the version the table is at after this publish (written when it changed), and the
// version its files conformed to before.
struct Versions {
  SchemaVersion next;
  std::vector<SchemaColumn> conformed_columns;  // of the conformed version
  bool conformed_known = false;
  int conformed = 0;
};

// The table's latest version's columns merged with the batch's (the batch's own on an overwrite),
// and the changes.
std::vector<SchemaColumn> MergedColumns(const TablePublish& t,
                                        const std::optional<SchemaVersion>& latest,
                                        std::vector<std::string>* changes) {
  std::vector<SchemaColumn> known = latest ? latest->columns : std::vector<SchemaColumn>{};
  // An overwrite replaces every file: the table takes the batch's types as they are.
  return t.replace ? t.columns : MergeColumns(known, t.columns, changes);
}

Result<Versions> NextVersion(const TablePublish& t) {
  EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> latest, ReadLatestSchema(t.table_dir));
  EL_ASSIGN_OR_RETURN(int conformed, ReadConformedVersion(t.table_dir));
  Versions v;
  v.conformed = conformed;
  if (!latest) {
    v.conformed_known = true;  // a new table: no files
  } else if (conformed == latest->version) {
    v.conformed_known = true;
    v.conformed_columns = latest->columns;
  } else {
    EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> old,
                        ReadSchemaVersion(t.table_dir, conformed));
    v.conformed_known = old.has_value();
    if (old) v.conformed_columns = old->columns;
  }
  std::vector<SchemaColumn> known = latest ? latest->columns : std::vector<SchemaColumn>{};
  std::vector<std::string> changes;
  std::vector<SchemaColumn> merged = MergedColumns(t, latest, &changes);
  v.next.version = latest ? latest->version : 1;
  v.next.columns = merged;
  if (!latest || merged != known) {
    v.next.version += latest ? 1 : 0;
    v.next.created = NowIso();
    v.next.changes = !latest     ? std::vector<std::string>{"created"}
                     : t.replace ? std::vector<std::string>{"replaced by an overwrite"}
                                 : changes;
    EL_RETURN_IF_ERROR(WriteSchemaVersion(t.table_dir, v.next));
  }
  return v;
}

// Rewrites every file of the table that holds a column in another type than `version`'s.
Result<int64_t> ConformAll(duck::Connection& con, const fs::path& table_dir,
                           const SchemaVersion& version, const fs::path& scratch) {
  EL_ASSIGN_OR_RETURN(auto files, ListDataFilesRecursive(table_dir));
  // Files of other tools are theirs: never rewritten (nor read: they may not even be Parquet).
  std::erase_if(files, [](const fs::path& f) { return !IsDataFileName(f.filename().string()); });
  EL_ASSIGN_OR_RETURN(int n, ConformFiles(con, files, version.columns, scratch));
  if (n > 0) {
    spdlog::info("{}: rewrote {} of {} files in the types of schema version {}",
                 table_dir.filename().string(), n, files.size(), version.version);
  }
  return n;
}

// Step 2b: every event-type folder's history (those of the batch and those already in the table,
// whose columns may have changed type) at its columns in the table's types `table`.
Status UpdateTypeSchemas(const TablePublish& t, const std::vector<SchemaColumn>& table) {
  std::map<std::string, const std::vector<SchemaColumn>*> folders;
  for (const auto& [folder, cols] : t.type_columns) folders[folder] = &cols;
  EL_ASSIGN_OR_RETURN(auto names, ListNames(t.table_dir));
  for (const std::string& name : names) {
    if (IsTypeFolder(t.table_dir / name)) folders.try_emplace(name, nullptr);
  }
  for (const auto& [folder, batch] : folders) {
    fs::path dir = t.table_dir / folder;
    EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> latest, ReadLatestSchema(dir));
    if (t.replace && batch == nullptr) continue;  // its files go: the folder goes with them
    std::vector<SchemaColumn> known = latest && !t.replace ? latest->columns : std::vector<SchemaColumn>{};
    std::vector<SchemaColumn> merged = batch ? MergeColumns(known, *batch) : known;
    std::vector<std::string> changes;
    for (SchemaColumn& c : merged) {
      if (const SchemaColumn* in_table = Find(table, c.name)) c.type = in_table->type;
      const SchemaColumn* old = Find(known, c.name);
      if (old == nullptr) {
        changes.push_back(fmt::format("added {} {}", c.name, c.type));
      } else if (old->type != c.type) {
        changes.push_back(fmt::format("{} {} -> {}", c.name, old->type, c.type));
      }
    }
    if (latest && latest->columns == merged) continue;
    SchemaVersion next;
    next.version = latest ? latest->version + 1 : 1;
    next.created = NowIso();
    next.columns = std::move(merged);
    next.changes = !latest ? std::vector<std::string>{"created"}
                   : t.replace ? std::vector<std::string>{"replaced by an overwrite"}
                               : std::move(changes);
    EL_RETURN_IF_ERROR(MakeDirs(dir / "_schema"));
    EL_RETURN_IF_ERROR(WriteSchemaVersion(dir, next));
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> ConformTable(duck::Connection& con, const fs::path& table_dir,
                             const fs::path& scratch_dir) {
  {
    EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> latest,
                        ReadLatestSchema(table_dir));  // mostly: done
    EL_ASSIGN_OR_RETURN(int conformed, ReadConformedVersion(table_dir));
    if (!latest || conformed == latest->version) return 0;
  }
  EL_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(SchemaLockPath(table_dir), true));
  EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> latest, ReadLatestSchema(table_dir));
  EL_ASSIGN_OR_RETURN(int conformed, ReadConformedVersion(table_dir));
  if (!latest || conformed == latest->version) return 0;
  EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> old, ReadSchemaVersion(table_dir, conformed));
  int64_t n = 0;
  if (!old || NeedsRewrite(old->columns, latest->columns)) {
    EL_ASSIGN_OR_RETURN(n, ConformAll(con, table_dir, *latest, scratch_dir));
    EL_RETURN_IF_ERROR(Remove(scratch_dir));
  }
  EL_RETURN_IF_ERROR(WriteConformedVersion(table_dir, latest->version));
  return n;
}

Result<std::vector<SchemaColumn>> DescribeSelect(duck::Connection& con, const std::string& select) {
  EL_ASSIGN_OR_RETURN(auto res, con.Query("DESCRIBE " + select));
  std::vector<SchemaColumn> out;
  for (size_t r = 0; r < res.RowCount(); ++r) out.push_back({res.Text(0, r), res.Text(1, r)});
  return out;
}

std::string ConvertList(const std::vector<SchemaColumn>& from,
                        const std::vector<SchemaColumn>& to) {
  std::string out;
  for (const SchemaColumn& c : from) {
    std::string id = QuoteName(c.name);
    const SchemaColumn* target = Find(to, c.name);
    std::string expr = id;
    if (target != nullptr && target->type != c.type) {
      auto a = SchemaType::Parse(c.type);
      auto b = SchemaType::Parse(target->type);
      expr = a.ok() && b.ok()         ? ConvertExpr(id, *a, *b)
             : target->type == "JSON" ? fmt::format("to_json({})", id)
                                      : fmt::format("CAST({} AS {})", id, target->type);
      expr += " AS " + id;
    }
    out += (out.empty() ? "" : ", ") + expr;
  }
  return out;
}

Result<ConformedBatch> ConformBatch(const fs::path& table_dir,
                                    const std::vector<SchemaColumn>& batch) {
  EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> latest, ReadLatestSchema(table_dir));
  std::vector<SchemaColumn> merged =
      MergeColumns(latest ? latest->columns : std::vector<SchemaColumn>{}, batch);
  ConformedBatch out;
  out.select_list = ConvertList(batch, merged);
  for (const SchemaColumn& c : batch) out.columns.push_back(*Find(merged, c.name));
  return out;
}

Result<int64_t> PublishTable(duck::Connection& con, const TablePublish& t) {
  if (t.columns.empty()) return MoveStaged(t.staging_dir, t.table_dir, t.replace);
  EL_RETURN_IF_ERROR(MakeDirs(t.table_dir / "_schema"));
  EL_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(SchemaLockPath(t.table_dir), true));
  EL_ASSIGN_OR_RETURN(Versions v, NextVersion(t));
  if (!t.replace && (!v.conformed_known || NeedsRewrite(v.conformed_columns, v.next.columns))) {
    EL_RETURN_IF_ERROR(ConformAll(con, t.table_dir, v.next, t.scratch_dir / "table").status());
  }
  if (NeedsRewrite(t.columns, v.next.columns)) {
    EL_ASSIGN_OR_RETURN(auto staged, ListDataFilesRecursive(t.staging_dir));
    EL_RETURN_IF_ERROR(
        ConformFiles(con, staged, v.next.columns, t.scratch_dir / "staged").status());
  }
  EL_RETURN_IF_ERROR(UpdateTypeSchemas(t, v.next.columns));
  EL_ASSIGN_OR_RETURN(int64_t moved, MoveStaged(t.staging_dir, t.table_dir, t.replace));
  if (v.conformed != v.next.version)
    EL_RETURN_IF_ERROR(WriteConformedVersion(t.table_dir, v.next.version));
  return moved;
}

Result<bool> PublishChecksTableFiles(const TablePublish& t) {
  if (t.columns.empty() || t.replace) return false;
  EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> latest, ReadLatestSchema(t.table_dir));
  if (!latest) return false;  // a new table
  EL_ASSIGN_OR_RETURN(int conformed, ReadConformedVersion(t.table_dir));
  std::vector<SchemaColumn> have = latest->columns;
  if (conformed != latest->version) {
    EL_ASSIGN_OR_RETURN(std::optional<SchemaVersion> old, ReadSchemaVersion(t.table_dir, conformed));
    if (!old) return true;
    have = old->columns;
  }
  return NeedsRewrite(have, MergedColumns(t, latest, nullptr));
}

}  // namespace el::lake
