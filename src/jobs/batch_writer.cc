#include "jobs/batch_writer.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <atomic>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "base/log.h"
#include "jobs/json_schema.h"
#include "jobs/record_loader.h"
#include "jobs/record_scan.h"
#include "lake/layout.h"
#include "lake/listing.h"
#include "lake/names.h"
#include "lake/publish.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
using duck::QuoteIdent;
using duck::QuoteLiteral;
using lake::DataFileName;
using lake::DescribeSelect;
using lake::kParquetOptions;
using lake::MakeDirs;
using lake::PartFileName;
using lake::SchemaColumn;
// Event-type tables times Kafka partitions up to which each file gets its own COPY.
constexpr size_t kSeparateTypeCopies = 16;

bool Wants(const BatchInput& in, const std::string& column) {
  auto has = [&](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), column) != v.end();
  };
  if (has(in.partition_by)) return true;
  if (in.outputs == nullptr) return false;
  return std::any_of(in.outputs->begin(), in.outputs->end(),
                     [&](const OutputSpec& o) { return has(o.partition_by); });
}

// The records as NDJSON lines {"_topic","_partition","_offset","_ts","_key","v":{...}} in `path`.
Status WriteNdjson(const BatchInput& in, const fs::path& path) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return ErrnoError("create " + path.string(), errno);
  std::string prefix = "{\"_topic\":";
  AppendJsonString(prefix, in.topic);
  std::string line;
  simdjson::dom::parser parser;
  Status st = in.records->ForEach([&](const RecordMeta& meta, std::string_view value) -> Status {
    line = fmt::format("{},\"_partition\":{},\"_offset\":{},\"_ts\":{},\"_key\":", prefix, meta.partition,
                       meta.offset, meta.timestamp_ms);
    if (meta.has_key) {
      AppendJsonString(line, meta.key);
    } else {
      line += "null";
    }
    line += ",\"v\":";
    if (value.find_first_of("\r\n") == std::string_view::npos) {
      line += value;
    } else {
      simdjson::dom::element doc;
      if (parser.parse(value.data(), value.size(), false).get(doc)) return Internal("a staged record no longer parses");
      line += simdjson::minify(doc);
    }
    line += "}\n";
    if (std::fwrite(line.data(), 1, line.size(), file) != line.size()) return ErrnoError("write " + path.string(), errno);
    return Status::Ok();
  });
  if (std::fclose(file) != 0 && st.ok()) st = ErrnoError("close " + path.string(), errno);
  return st;
}

// Loads the records into temp table el_src (metadata columns first, then one column per JSON
// field) through NDJSON, with DuckDB inferring the types: the way round when DuckDB refuses the
// stager's types.
Status InferAndLoadSource(duck::Connection& con, const BatchInput& in) {
  if (in.records == nullptr || in.records->size() == 0) {
    return con.Exec(fmt::format("CREATE TEMP TABLE el_inferred ({}); CREATE TEMP VIEW el_src AS SELECT * FROM el_inferred",
                                kMetaSchema));
  }
  fs::path ndjson = in.staging_dir / "records.ndjson";
  EL_RETURN_IF_ERROR(WriteNdjson(in, ndjson));
  EL_RETURN_IF_ERROR(con.Exec(fmt::format(
      "CREATE TEMP TABLE el_raw AS SELECT * FROM read_json({}, format='newline_delimited', "
      "records=true, sample_size=-1, maximum_depth=-1, map_inference_threshold=-1, "
      "field_appearance_threshold=0)",
      QuoteLiteral(ndjson.string()))));
  EL_ASSIGN_OR_RETURN(auto probe, con.Query("SELECT v FROM el_raw LIMIT 0"));
  bool has_fields = !probe.StructFieldNames(0).empty();
  EL_RETURN_IF_ERROR(con.Exec(fmt::format(
      "CREATE TEMP TABLE el_inferred AS SELECT CAST(_topic AS VARCHAR) AS _topic, "
      "CAST(_partition AS INTEGER) AS _partition, CAST(_offset AS BIGINT) AS _offset, "
      "epoch_ms(CAST(_ts AS BIGINT)) AS _timestamp, CAST(_key AS VARCHAR) AS _key{} "
      "FROM el_raw ORDER BY _partition, _offset; DROP TABLE el_raw; CREATE TEMP VIEW el_src AS SELECT * FROM el_inferred",
      has_fields ? ", unnest(v)" : "")));
  return Status::Ok();
}

Status LoadDeadLetters(duck::Connection& con, const BatchInput& in) {
  EL_RETURN_IF_ERROR(con.Exec(fmt::format(
      "DROP TABLE IF EXISTS el_dead; CREATE TEMP TABLE el_dead ({}, raw VARCHAR, error VARCHAR)",
      kMetaSchema)));
  EL_ASSIGN_OR_RETURN(auto app, duck::Appender::Create(con, "el_dead"));
  for (const DeadLetter& d : *in.dead_letters) {
    EL_RETURN_IF_ERROR(app.AppendText(in.topic));
    EL_RETURN_IF_ERROR(app.AppendInt32(d.partition));
    EL_RETURN_IF_ERROR(app.AppendInt64(d.offset));
    EL_RETURN_IF_ERROR(d.timestamp_ms >= 0 ? app.AppendTimestampMicros(d.timestamp_ms * 1000)
                                           : app.AppendNull());
    EL_RETURN_IF_ERROR(d.has_key ? app.AppendText(d.key) : app.AppendNull());
    EL_RETURN_IF_ERROR(app.AppendText(d.raw));
    EL_RETURN_IF_ERROR(app.AppendText(d.error));
    EL_RETURN_IF_ERROR(app.EndRow());
  }
  return app.Close();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The exact name and type of column `wanted` of el_src (case-insensitive), {"", ""} when absent.
Result<SchemaColumn> FindTypedColumn(duck::Connection& con, const std::string& wanted) {
  EL_ASSIGN_OR_RETURN(auto cols, DescribeSelect(con, "SELECT * FROM el_src"));
  for (const SchemaColumn& c : cols) {
    if (EqualsIgnoreCase(c.name, wanted)) return c;
  }
  return SchemaColumn{};
}

// A TIMESTAMPTZ expression for the event time held by `id`, a value of DuckDB type `type` (NULL
// when unusable).
std::string EventTimeExpr(const std::string& id, const std::string& type) {
  SchemaColumn c{id, type};
  auto epoch = [](const std::string& num) {
    return fmt::format("CASE WHEN abs({0}) >= 1e11 THEN to_timestamp({0} / 1000.0) ELSE to_timestamp({0}) END",
                       num);
  };
  if (c.type == "VARCHAR" || c.type == "JSON") {  // JSON: a field with mixed types, unquoted here
    std::string text = c.type == "JSON" ? fmt::format("json_extract_string({}, '$')", id) : id;
    return fmt::format("COALESCE(TRY_CAST({0} AS TIMESTAMPTZ), {1})", text,
                       epoch(fmt::format("TRY_CAST({} AS DOUBLE)", text)));
  }
  if (c.type.rfind("TIMESTAMP", 0) == 0 || c.type == "DATE") return fmt::format("CAST({} AS TIMESTAMPTZ)", id);
  static const char* kNumbers[] = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UBIGINT", "HUGEINT",
                                   "UINTEGER", "FLOAT", "DOUBLE"};
  for (const char* n : kNumbers) {
    if (c.type == n) return epoch(fmt::format("CAST({} AS DOUBLE)", id));
  }
  return "NULL::TIMESTAMPTZ";
}

// Adds `dt` (YYYY-MM-DD) and, when wanted, `hour` (HH) to el_src, in the event time's zone.
Status AddEventTime(duck::Connection& con, const BatchInput& in) {
  bool dt = Wants(in, "dt"), hour = Wants(in, "hour");
  if (!dt && !hour) return Status::Ok();
  SchemaColumn field;
  if (!in.event_time.field.empty()) {
    EL_ASSIGN_OR_RETURN(field, FindTypedColumn(con, in.event_time.field));
  }
  std::string local = fmt::format(
      "timezone({}, COALESCE({}, CAST(_timestamp AS TIMESTAMPTZ)))", QuoteLiteral(in.event_time.time_zone),
      field.name.empty() ? "NULL::TIMESTAMPTZ" : EventTimeExpr(QuoteIdent(field.name), field.type));
  std::string cols;
  if (dt) cols += fmt::format(", strftime({}, '%Y-%m-%d') AS dt", local);
  if (hour) cols += fmt::format(", strftime({}, '%H') AS hour", local);
  std::vector<std::string> replaced;  // same-named fields of the events give way
  for (const char* name : {"dt", "hour"}) {
    if ((name[0] == 'd' && !dt) || (name[0] == 'h' && !hour)) continue;
    EL_ASSIGN_OR_RETURN(SchemaColumn existing, FindTypedColumn(con, name));
    if (!existing.name.empty()) replaced.push_back(QuoteIdent(existing.name));
  }
  std::string exclude = replaced.empty() ? "" : fmt::format(" EXCLUDE ({})", fmt::join(replaced, ", "));
  return con.Exec(fmt::format(
      "CREATE TEMP TABLE el_timed AS SELECT *{}{} FROM el_src; DROP VIEW el_src; "
      "CREATE TEMP VIEW el_src AS SELECT * FROM el_timed",
      exclude, cols));
}

// el_src for the batch: the records as typed vectors, or when DuckDB refuses the stager's types
// (so that a schema corner case never fails the batch), through NDJSON with DuckDB's inference.
Status DropSource(duck::Connection& con) {
  EL_RETURN_IF_ERROR(DropRecords(con, "el_src"));
  return con.Exec(
      "DROP TABLE IF EXISTS el_raw; DROP TABLE IF EXISTS el_inferred; DROP TABLE IF EXISTS el_timed; "
      "DROP TABLE IF EXISTS el_dead; DROP TABLE IF EXISTS el_types");
}

Status LoadSource(duck::Connection& con, const BatchInput& in) {
  EL_RETURN_IF_ERROR(DropSource(con));
  if (in.records != nullptr && in.schema != nullptr && in.db != nullptr) {
    size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
    Status st = LoadRecords(*in.db, con, "el_src", in.topic, *in.schema, *in.records, threads);
    if (st.code() == StatusCode::kIOError) return st;
    if (!st.ok()) {
      spdlog::warn("typed load of {} failed, inferring the types instead: {}", in.topic, st.message());
      EL_RETURN_IF_ERROR(DropSource(con));
      EL_RETURN_IF_ERROR(InferAndLoadSource(con, in));
    }
  } else {
    EL_RETURN_IF_ERROR(InferAndLoadSource(con, in));
  }
  if (in.records != nullptr) in.records->Clear();
  return AddEventTime(con, in);
}

// DuckDB names partitioned files `<stem>_<i>.parquet`; the first becomes PartFileName(stem, "0").
Status RenamePartFiles(const fs::path& dir, const std::string& stem) {
  std::error_code ec;
  EL_ASSIGN_OR_RETURN(auto files, lake::ListDataFilesRecursive(dir));
  for (const fs::path& f : files) {
    if (f.filename() != stem + "_0.parquet") continue;
    fs::rename(f, f.parent_path() / PartFileName(stem, "0"), ec);
    if (ec) return IOError("cannot rename " + f.string() + ": " + ec.message());
  }
  return Status::Ok();
}

std::string QuoteIdents(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const std::string& n : names) quoted.push_back(QuoteIdent(n));
  return fmt::format("{}", fmt::join(quoted, ", "));
}

class Stager {
 public:
  // Files carry no row order (no sort: it would cost more than the write); readers order by
  // _offset or event time as they need.
  Stager(duck::Connection& con, const BatchInput& in) : con_(con), in_(in) {}

  // The batch's staging folder of `table`: <batch staging>/<table>/, created on first use.
  Result<fs::path> Dir(const std::string& table) {
    fs::path dir = in_.staging_dir / table;
    if (dirs_.emplace(table, dir).second) EL_RETURN_IF_ERROR(MakeDirs(dir));
    return dir;
  }

  // The table's latest schema merged with `cols`, and how the batch is cast to it (read once per
  // table and batch).
  Result<const lake::ConformedBatch*> Conform(const std::string& table, const std::vector<SchemaColumn>& cols,
                                              const fs::path& table_dir) {
    auto it = conformed_.find(table);
    if (it == conformed_.end() || it->second.first != cols) {
      EL_ASSIGN_OR_RETURN(lake::ConformedBatch c, lake::ConformBatch(table_dir, cols));
      it = conformed_.insert_or_assign(table, std::make_pair(cols, std::move(c))).first;
    }
    return &it->second.second;
  }

  // Writes `select` (rows of one partition) to <batch staging>/<table>/<range name>, cast to the
  // table's schema; with `partition_by`, into Hive folders below it. `table_dir`: where the table
  // lives (default LAKE/<table>).
  Status Write(const std::string& table, const PartitionRange& r, const std::string& select,
               const std::vector<std::string>& partition_by = {}, const fs::path& table_dir = {}) {
    EL_ASSIGN_OR_RETURN(fs::path dir, Dir(table));
    EL_ASSIGN_OR_RETURN(std::vector<SchemaColumn> cols, DescribeSelect(con_, select));
    EL_ASSIGN_OR_RETURN(const lake::ConformedBatch* c,
                        Conform(table, cols, table_dir.empty() ? in_.lake_dir / table : table_dir));
    std::string query = fmt::format("SELECT {} FROM ({}) AS el_o", c->select_list, select);
    std::string file = DataFileName(in_.topic, r.partition, r.first, r.last);
    if (partition_by.empty()) {
      return con_.Exec(fmt::format("COPY ({}) TO {} ({})", query, QuoteLiteral((dir / file).string()), kParquetOptions));
    }
    std::string stem = file.substr(0, file.size() - std::string_view(".parquet").size());
    EL_RETURN_IF_ERROR(con_.Exec(fmt::format(
        "COPY ({}) TO {} ({}, PARTITION_BY ({}), FILENAME_PATTERN {}, OVERWRITE_OR_IGNORE)", query,
        QuoteLiteral(dir.string()), kParquetOptions, QuoteIdents(partition_by), QuoteLiteral(stem + "_{i}"))));
    return RenamePartFiles(dir, stem);
  }

  const std::map<std::string, fs::path>& dirs() const { return dirs_; }
  // The columns the staged files of `table` hold (empty when none were written through Write).
  std::vector<SchemaColumn> Columns(const std::string& table) const {
    auto it = conformed_.find(table);
    return it == conformed_.end() ? std::vector<SchemaColumn>{} : it->second.second.columns;
  }

 private:
  duck::Connection& con_;
  const BatchInput& in_;
  std::map<std::string, fs::path> dirs_;
  // table -> (batch columns, how they are written)
  std::map<std::string, std::pair<std::vector<SchemaColumn>, lake::ConformedBatch>> conformed_;
};

// The default layout's topic table (lake format 2, lake/layout.h): every event once, in its event
// type's folder `<field>=<value>/` (then the partition columns' folders), each type's files holding
// the columns its events have, in the table's types.
class TopicTableWriter {
 public:
  // With `scan`, the rows come from the record scan by the stager's groups (in.groups), not from
  // el_src.
  TopicTableWriter(duck::Connection& con, const BatchInput& in, const RecordScan* scan = nullptr)
      : con_(con), in_(in), scan_(scan) {}

  Result<std::optional<StagedTable>> Stage() {
    EL_ASSIGN_OR_RETURN(std::vector<SchemaColumn> cols,
                        DescribeSelect(con_, "SELECT * FROM " + (scan_ != nullptr ? scan_->Relation(0) : "el_src")));
    std::string key = in_.event_type_field;
    std::string value_expr = "NULL::VARCHAR";
    std::vector<SchemaColumn> data;
    for (const SchemaColumn& c : cols) {
      bool partition = std::find(in_.partition_by.begin(), in_.partition_by.end(), c.name) != in_.partition_by.end();
      if (!key.empty() && EqualsIgnoreCase(c.name, key)) {
        // A field whose type differs between events is JSON: its strings name types without quotes.
        value_expr = c.type == "JSON" ? "json_extract_string(" + QuoteIdent(c.name) + ", '$')"
                                      : "CAST(" + QuoteIdent(c.name) + " AS VARCHAR)";
      } else if (!partition) {
        data.push_back(c);
      }
    }
    value_expr = "NULLIF(" + value_expr + ", '')";  // an empty type is a null one (kHiveNull)
    fs::path table_dir = in_.lake_dir / in_.topic;
    EL_ASSIGN_OR_RETURN(lake::ConformedBatch conformed, lake::ConformBatch(table_dir, data));
    std::vector<std::string> exprs;  // per data column: its conformed expression
    for (size_t i = 0; i < data.size(); ++i) exprs.push_back(lake::ConvertList({data[i]}, {conformed.columns[i]}));
    // Which columns each type's events have (the metadata columns always).
    std::map<std::vector<bool>, std::vector<Type>> groups;  // column set -> types
    StagedTable staged{in_.topic, in_.staging_dir / in_.topic, table_dir, in_.mode, {}, {}};
    std::vector<bool> any(data.size(), false);
    auto add_type = [&](Type t, const std::function<bool(size_t)>& has_column) {
      t.folder = key.empty() ? "" : key + "=" + lake::HiveValue(t.raw);
      std::vector<bool> has(data.size());
      std::vector<SchemaColumn> type_cols;
      for (size_t i = 0; i < data.size(); ++i) {
        has[i] = IsMeta(data[i].name) || has_column(i);
        if (has[i]) type_cols.push_back(conformed.columns[i]);
        any[i] = any[i] || has[i];
      }
      if (!key.empty()) staged.type_columns[t.folder] = std::move(type_cols);
      groups[has].push_back(std::move(t));
    };
    if (scan_ != nullptr) {
      // The stager grouped the records by (partition, type) and noted each group's fields.
      std::map<std::optional<std::string>, std::pair<std::set<std::string>, std::map<int32_t, uint32_t>>> by_type;
      for (size_t g = 0; g < in_.groups->size(); ++g) {
        const RecordStager::Group& group = (*in_.groups)[g];
        auto& [columns, tags] = by_type[group.type];
        columns.insert(group.columns.begin(), group.columns.end());
        tags[group.partition] = static_cast<uint32_t>(g);
      }
      for (auto& [raw, entry] : by_type) {
        const std::set<std::string>& columns = entry.first;
        add_type(Type{raw, "", std::move(entry.second)},
                 [&](size_t i) { return columns.count(data[i].name) != 0; });
      }
    } else {
      std::string counts;
      for (const SchemaColumn& c : data) counts += ", count(" + QuoteIdent(c.name) + ")";
      EL_ASSIGN_OR_RETURN(auto types, con_.Query(fmt::format("SELECT {} AS v{} FROM el_src GROUP BY ALL",
                                                             value_expr, counts)));
      for (size_t row = 0; row < types.RowCount(); ++row) {
        Type t;
        if (!types.IsNull(0, row)) t.raw = types.Text(0, row);
        add_type(std::move(t), [&](size_t i) { return types.Int(1 + i, row) > 0; });
      }
    }
    if (groups.empty()) return std::optional<StagedTable>();
    for (size_t i = 0; i < data.size(); ++i) {
      if (any[i]) staged.columns.push_back(conformed.columns[i]);
    }
    for (const auto& [has, group] : groups) {
      std::string list;
      for (size_t i = 0; i < data.size(); ++i) {
        if (has[i]) list += (list.empty() ? "" : ", ") + exprs[i];
      }
      // A few files: one plain COPY each (a filtered scan of el_src is cheap; DuckDB's partitioned
      // COPY costs about twice a plain one). Many: one partitioned COPY for the group.
      if (scan_ != nullptr || group.size() * in_.ranges.size() <= kSeparateTypeCopies) {
        EL_RETURN_IF_ERROR(WriteOneByOne(list, value_expr, group));
        continue;
      }
      Status st = WriteGroup(list, value_expr, group);
      if (st.ok()) continue;
      spdlog::warn("writing event types together failed, writing them one by one: {}", st.message());
      for (const Type& t : group) EL_RETURN_IF_ERROR(lake::Remove(FolderOf(t)));
      EL_RETURN_IF_ERROR(WriteOneByOne(list, value_expr, group));
    }
    EL_RETURN_IF_ERROR(RunScanCopies());
    return std::optional<StagedTable>(std::move(staged));
  }

 private:
  struct Type {
    std::optional<std::string> raw;
    std::string folder;  // `<field>=<HiveValue>`, "" without an event-type field
    std::map<int32_t, uint32_t> tags;  // with a record scan: Kafka partition -> the records' tag
  };

  static bool IsMeta(const std::string& name) {
    return std::find(std::begin(kMetaColumnNames), std::end(kMetaColumnNames), name) != std::end(kMetaColumnNames);
  }

  static std::string Matches(const std::string& value_expr, const Type& t) {
    return t.raw ? fmt::format("{} = {}", value_expr, QuoteLiteral(*t.raw)) : value_expr + " IS NULL";
  }

  // The record scan's COPYs (one per event type and partition), in.copy_streams at a time on
  // connections of their own: a COPY ends on one thread (its last row group and the footer), and
  // a small type's COPY barely uses a second core, so two at once keep both cores busy.
  Status RunScanCopies() {
    if (scan_copies_.empty()) return Status::Ok();
    // The largest first, so that no stream is left with a large one at the end.
    std::stable_sort(scan_copies_.begin(), scan_copies_.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::atomic<size_t> next{0};
    auto stream = [&](duck::Connection& con) -> Status {
      for (size_t i = next++; i < scan_copies_.size(); i = next++) EL_RETURN_IF_ERROR(con.Exec(scan_copies_[i].second));
      return Status::Ok();
    };
    size_t streams = in_.db == nullptr ? 1 : std::clamp<size_t>(in_.copy_streams, 1, scan_copies_.size());
    std::vector<Status> results(streams);
    std::vector<std::thread> threads;
    for (size_t k = 1; k < streams; ++k) {
      threads.emplace_back([&, k, component = LogComponent()] {
        SetLogComponent(component);
        if (k - 1 < in_.stream_connections.size()) {
          results[k] = stream(*in_.stream_connections[k - 1]);
        } else {
          auto con = OpenStreamConnection(*in_.db);
          results[k] = con.ok() ? stream(*con) : con.status();
        }
        if (!results[k].ok()) next = scan_copies_.size();  // the others stop too
      });
    }
    results[0] = stream(con_);
    if (!results[0].ok()) next = scan_copies_.size();
    for (std::thread& t : threads) t.join();
    scan_copies_.clear();
    for (const Status& st : results) EL_RETURN_IF_ERROR(st);
    return Status::Ok();
  }

  fs::path FolderOf(const Type& t) const {
    fs::path dir = in_.staging_dir / in_.topic;
    return t.folder.empty() ? dir : dir / t.folder;
  }

  Status WriteOneByOne(const std::string& list, const std::string& value_expr, const std::vector<Type>& group) {
    for (const Type& t : group) {
      fs::path dir = FolderOf(t);
      EL_RETURN_IF_ERROR(MakeDirs(dir));
      for (const PartitionRange& r : in_.ranges) {
        std::string where = Matches(value_expr, t);
        if (in_.ranges.size() > 1) where += fmt::format(" AND _partition = {}", r.partition);
        std::string select = fmt::format("SELECT {}{} FROM el_src WHERE {}", list,
                                         in_.partition_by.empty() ? "" : ", " + QuoteIdents(in_.partition_by), where);
        if (scan_ != nullptr) {
          auto tag = t.tags.find(r.partition);
          if (tag == t.tags.end()) continue;  // no event of this type in this partition
          select = fmt::format("SELECT {} FROM {}", list, scan_->Relation(tag->second));
          std::string file = DataFileName(in_.topic, r.partition, r.first, r.last);
          scan_copies_.emplace_back(
              in_.records->tagged(tag->second),
              fmt::format("COPY ({}) TO {} ({})", select, QuoteLiteral((dir / file).string()), kParquetOptions));
          continue;
        } else if (group.size() > 1 || in_.ranges.size() > 1) {
          EL_ASSIGN_OR_RETURN(auto n, con_.Query("SELECT count(*) FROM el_src WHERE " + where));
          if (n.Int(0, 0) == 0) continue;
        }
        std::string file = DataFileName(in_.topic, r.partition, r.first, r.last);
        if (in_.partition_by.empty()) {
          EL_RETURN_IF_ERROR(con_.Exec(
              fmt::format("COPY ({}) TO {} ({})", select, QuoteLiteral((dir / file).string()), kParquetOptions)));
          continue;
        }
        std::string stem = file.substr(0, file.size() - std::string_view(".parquet").size());
        EL_RETURN_IF_ERROR(con_.Exec(fmt::format(
            "COPY ({}) TO {} ({}, PARTITION_BY ({}), FILENAME_PATTERN {}, OVERWRITE_OR_IGNORE)", select,
            QuoteLiteral(dir.string()), kParquetOptions, QuoteIdents(in_.partition_by), QuoteLiteral(stem + "_{i}"))));
        EL_RETURN_IF_ERROR(RenamePartFiles(dir, stem));
      }
    }
    return Status::Ok();
  }

  // One COPY partitioned by (type index, Kafka partition[, partition columns]) into a scratch
  // folder; each file then moves to its type's folder, named after its partition's range.
  Status WriteGroup(const std::string& list, const std::string& value_expr, const std::vector<Type>& group) {
    std::string values;
    for (size_t t = 0; t < group.size(); ++t) {
      values += fmt::format("{}({}, {})", values.empty() ? "" : ", ",
                            group[t].raw ? QuoteLiteral(*group[t].raw) : "NULL::VARCHAR", t);
    }
    EL_RETURN_IF_ERROR(con_.Exec(fmt::format(
        "CREATE OR REPLACE TEMP TABLE el_types AS SELECT * FROM (VALUES {}) AS m(__el_raw, __el_type)", values)));
    fs::path scratch = in_.staging_dir / "_types";
    EL_RETURN_IF_ERROR(lake::Remove(scratch));
    std::vector<std::string> parts{"__el_type", "__el_partition"};
    parts.insert(parts.end(), in_.partition_by.begin(), in_.partition_by.end());
    std::string extra = in_.partition_by.empty() ? "" : ", " + QuoteIdents(in_.partition_by);
    EL_RETURN_IF_ERROR(con_.Exec(fmt::format(
        "COPY (SELECT {}{}, __el_type, _partition AS __el_partition FROM el_src JOIN el_types "
        "ON {} IS NOT DISTINCT FROM __el_raw) TO {} ({}, PARTITION_BY ({}), FILENAME_PATTERN 'part_{{i}}')",
        list, extra, value_expr, QuoteLiteral(scratch.string()), kParquetOptions, QuoteIdents(parts))));
    std::map<int32_t, const PartitionRange*> ranges;
    for (const PartitionRange& r : in_.ranges) ranges[r.partition] = &r;
    std::vector<fs::path> files;  // (ListDataFilesRecursive skips the hidden "__el_..." folders)
    std::error_code ec;
    for (fs::recursive_directory_iterator it(scratch, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".parquet") files.push_back(it->path());
    }
    if (ec) return IOError("cannot list " + scratch.string() + ": " + ec.message());
    for (const fs::path& file : files) {
      fs::path rel = file.lexically_relative(scratch);
      auto part = rel.begin();
      std::string t_dir = (part++)->string(), p_dir = (part++)->string();
      int64_t t = -1, p = -1;
      if (!lake::ParseNonNegative(std::string_view(t_dir).substr(t_dir.find('=') + 1), t) ||
          !lake::ParseNonNegative(std::string_view(p_dir).substr(p_dir.find('=') + 1), p))
        return Internal("unexpected file " + file.string());
      auto range = ranges.find(static_cast<int32_t>(p));
      if (t >= static_cast<int64_t>(group.size()) || range == ranges.end())
        return Internal("unexpected file " + file.string());
      const PartitionRange& r = *range->second;
      fs::path dest = FolderOf(group[static_cast<size_t>(t)]);
      for (; std::next(part) != rel.end(); ++part) dest /= *part;
      EL_RETURN_IF_ERROR(MakeDirs(dest));
      std::string stem = DataFileName(in_.topic, r.partition, r.first, r.last);
      stem.resize(stem.size() - std::string_view(".parquet").size());
      std::string index = file.stem().string().substr(std::string_view("part_").size());
      fs::rename(file, dest / PartFileName(stem, index), ec);
      if (ec) return IOError("cannot move " + file.string() + ": " + ec.message());
    }
    return lake::Remove(scratch);
  }

  duck::Connection& con_;
  const BatchInput& in_;
  const RecordScan* scan_;
  // With a record scan: the COPYs (and their records), run by RunScanCopies.
  std::vector<std::pair<int64_t, std::string>> scan_copies_;
};

// Whether the default layout's topic table can be written from the record scan: the stager
// grouped the records by type, the type field is text (or absent), no column is derived (dt,
// hour), and scanning the buffer once per group costs little (few groups, or nothing spilled).
bool ScanUsable(const BatchInput& in) {
  if (in.groups == nullptr || in.records == nullptr || in.schema == nullptr || !in.partition_by.empty() ||
      in.schema->kind() != JsonType::Kind::kStruct || in.groups->empty())
    return false;
  constexpr size_t kMaxScans = 64;
  constexpr int64_t kMaxSpillReread = int64_t{2} << 30;
  if (in.groups->size() > kMaxScans ||
      in.records->spilled_bytes() * static_cast<int64_t>(in.groups->size()) > kMaxSpillReread)
    return false;
  for (const auto& [name, type] : in.schema->fields()) {
    if (EqualsIgnoreCase(name, in.event_type_field))
      return type->kind() == JsonType::Kind::kVarchar || type->kind() == JsonType::Kind::kNull;
  }
  return true;
}

// The SELECT of one output: its SQL, or with `unnest`, one row per element of that array
// carrying the parent key columns (struct elements become columns, others a column named after
// the array).
Result<std::string> OutputSelect(duck::Connection& con, const OutputSpec& o) {
  if (o.unnest.empty()) return o.sql;
  std::string path;
  std::string last;
  for (size_t start = 0; start <= o.unnest.size();) {
    size_t dot = std::min(o.unnest.find('.', start), o.unnest.size());
    last = o.unnest.substr(start, dot - start);
    path += (path.empty() ? "" : ".") + QuoteIdent(last);
    start = dot + 1;
  }
  std::string keys;
  for (const std::string& k : o.parent_key) keys += QuoteIdent(k) + ", ";
  std::string items = fmt::format("SELECT {}UNNEST({}) AS el_item FROM ({}) AS el_parent", keys, path, o.sql);
  EL_ASSIGN_OR_RETURN(std::vector<SchemaColumn> cols, DescribeSelect(con, items));
  bool is_struct = !cols.empty() && cols.back().type.rfind("STRUCT(", 0) == 0;
  return fmt::format("SELECT {}{} FROM ({}) AS el_items", keys,
                     is_struct ? "UNNEST(el_item)" : "el_item AS " + QuoteIdent(last), items);
}

// Job mode: every output, partition by partition (the view `source` holds one partition's rows;
// each output is also a view named after its table, for later outputs to read).
Status StageOutputs(duck::Connection& con, const BatchInput& in, Stager& stager,
                    std::vector<std::string>& order) {
  for (const PartitionRange& r : in.ranges) {
    EL_RETURN_IF_ERROR(con.Exec(fmt::format(
        "CREATE OR REPLACE TEMP VIEW source AS SELECT * FROM el_src WHERE _partition = {}", r.partition)));
    for (const OutputSpec& o : *in.outputs) {
      auto select = OutputSelect(con, o);
      if (!select.ok()) return InvalidArgument("output " + o.table + ": " + select.status().message());
      std::string view = QuoteIdent(o.table);
      Status st = con.Exec(fmt::format("CREATE OR REPLACE TEMP VIEW {} AS {}", view, *select));
      if (!st.ok()) return InvalidArgument("output " + o.table + ": " + st.message());
      auto n = con.Query("SELECT count(*) FROM " + view);
      if (!n.ok()) return InvalidArgument("output " + o.table + ": " + n.status().message());
      if (n->Int(0, 0) == 0) continue;
      EL_RETURN_IF_ERROR(stager.Write(o.table, r, "SELECT * FROM " + view, o.partition_by));
      if (std::find(order.begin(), order.end(), o.table) == order.end()) order.push_back(o.table);
    }
  }
  return Status::Ok();
}

// Job mode: one progress file per partition range into the job's commit folder.
Status StageProgress(duck::Connection& con, const BatchInput& in, Stager& stager) {
  for (const PartitionRange& r : in.ranges) {
    EL_RETURN_IF_ERROR(stager.Write(
        "_progress", r,
        fmt::format("SELECT {} AS topic, {}::INTEGER AS partition, {}::BIGINT AS first_offset, "
                    "{}::BIGINT AS last_offset, {}::BIGINT AS records, now()::TIMESTAMP AS landed_at",
                    QuoteLiteral(in.topic), r.partition, r.first, r.last, r.count),
        {}, in.commit_dir));
  }
  return Status::Ok();
}

}  // namespace

Result<duck::Connection> OpenStreamConnection(const duck::Database& db) {
  EL_ASSIGN_OR_RETURN(auto con, duck::Connection::Open(db));
  EL_RETURN_IF_ERROR(con.Exec("SET TimeZone = 'UTC'; SET preserve_insertion_order = false"));
  return con;
}

Result<std::vector<StagedTable>> StageBatch(duck::Connection& con, const BatchInput& in) {
  bool job = in.outputs != nullptr && !in.outputs->empty();
  EL_RETURN_IF_ERROR(con.Exec("SET TimeZone = 'UTC'; SET preserve_insertion_order = true"));
  // The default layout reads the records where they are (jobs/record_scan.h) when it can; else
  // they are loaded into el_src.
  std::unique_ptr<RecordScan> scan;
  if (!job && ScanUsable(in)) {
    EL_RETURN_IF_ERROR(DropSource(con));
    auto opened = RecordScan::Open(con, in.db, in.topic, *in.schema, *in.records);
    if (opened.ok()) {
      scan = std::move(*opened);
    } else {
      spdlog::warn("record scan of {} refused, loading the records instead: {}", in.topic,
                   opened.status().message());
    }
  }
  if (scan == nullptr) EL_RETURN_IF_ERROR(LoadSource(con, in));
  Stager stager(con, in);
  std::vector<std::string> order;
  // The default layout's files need no particular row order (el_src is in offset order, and a
  // file's row groups still cover runs of it), and DuckDB writes one file on both threads only
  // when it need not keep the order: about 35% less time per COPY. Job outputs keep it, so that
  // an output that filters writes its rows in offset order.
  EL_RETURN_IF_ERROR(con.Exec(fmt::format("SET preserve_insertion_order = {}", job)));
  std::optional<StagedTable> topic_table;
  if (job) {
    EL_RETURN_IF_ERROR(StageOutputs(con, in, stager, order));
  } else {
    auto staged = TopicTableWriter(con, in, scan.get()).Stage();
    if (scan != nullptr) {
      scan.reset();
      // A value the scan cannot write (a corner case of the stager's types) must not fail the
      // batch: it is written again from the records loaded into el_src.
      if (!staged.ok() && staged.status().code() != StatusCode::kIOError) {
        spdlog::warn("writing {} from the record scan failed, loading the records instead: {}", in.topic,
                     staged.status().message());
        EL_RETURN_IF_ERROR(lake::Remove(in.staging_dir / in.topic));
        EL_RETURN_IF_ERROR(LoadSource(con, in));
        staged = TopicTableWriter(con, in).Stage();
      }
      in.records->Clear();
    }
    EL_ASSIGN_OR_RETURN(topic_table, std::move(staged));
  }
  if (in.dead_letters != nullptr && !in.dead_letters->empty()) {
    EL_RETURN_IF_ERROR(LoadDeadLetters(con, in));
    std::string table = in.topic + "_dead_letter";
    std::set<int32_t> parts;
    for (const DeadLetter& d : *in.dead_letters) parts.insert(d.partition);
    for (const PartitionRange& r : in.ranges) {
      if (parts.count(r.partition) == 0) continue;
      EL_RETURN_IF_ERROR(stager.Write(
          table, r, fmt::format("SELECT * FROM el_dead WHERE _partition = {}", r.partition)));
    }
    order.push_back(table);
  }
  if (job) {
    EL_RETURN_IF_ERROR(StageProgress(con, in, stager));
    order.push_back("_progress");
  }
  std::vector<StagedTable> out;
  for (const std::string& table : order) {
    WriteMode mode = in.mode;
    if (job) {
      for (const OutputSpec& o : *in.outputs) {
        if (o.table == table && o.mode) mode = *o.mode;
      }
    }
    fs::path table_dir = table == "_progress" ? in.commit_dir : in.lake_dir / table;
    // A job's progress folder has no schema: its files only name the committed ranges.
    std::vector<SchemaColumn> columns = table == "_progress" ? std::vector<SchemaColumn>{} : stager.Columns(table);
    out.push_back({table, stager.dirs().at(table), table_dir, mode, std::move(columns), {}});
  }
  if (topic_table) out.push_back(std::move(*topic_table));  // last: see the header
  EL_RETURN_IF_ERROR(DropSource(con));
  return out;
}

Result<std::optional<StagedTable>> StageTopicTable(duck::Connection& con, const BatchInput& in) {
  EL_RETURN_IF_ERROR(con.Exec("SET TimeZone = 'UTC'; SET preserve_insertion_order = false"));
  return TopicTableWriter(con, in).Stage();
}

}  // namespace el::jobs
