#include "jobs/batch_writer.h"

#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>

#include "jobs/lake_files.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
using duck::QuoteIdent;
using duck::QuoteLiteral;

constexpr char kMetaSchema[] =
    "_topic VARCHAR, _partition INTEGER, _offset BIGINT, _timestamp TIMESTAMP, _key VARCHAR";

// Loads the staged NDJSON into temp table el_src (metadata columns first, then one column per
// JSON field).
Status LoadSource(duck::Connection& con, const BatchInput& in) {
  EL_RETURN_IF_ERROR(con.Exec("DROP TABLE IF EXISTS el_raw; DROP TABLE IF EXISTS el_src"));
  if (in.good_records == 0) {
    return con.Exec(fmt::format("CREATE TEMP TABLE el_src ({})", kMetaSchema));
  }
  EL_RETURN_IF_ERROR(con.Exec(fmt::format(
      "CREATE TEMP TABLE el_raw AS SELECT * FROM read_json({}, format='newline_delimited', "
      "records=true, sample_size=-1, maximum_depth=-1, map_inference_threshold=-1, "
      "field_appearance_threshold=0)",
      QuoteLiteral(in.ndjson.string()))));
  EL_ASSIGN_OR_RETURN(auto probe, con.Query("SELECT v FROM el_raw LIMIT 0"));
  bool has_fields = !probe.StructFieldNames(0).empty();
  EL_RETURN_IF_ERROR(con.Exec(fmt::format(
      "CREATE TEMP TABLE el_src AS SELECT CAST(_topic AS VARCHAR) AS _topic, "
      "CAST(_partition AS INTEGER) AS _partition, CAST(_offset AS BIGINT) AS _offset, "
      "epoch_ms(CAST(_ts AS BIGINT)) AS _timestamp, CAST(_key AS VARCHAR) AS _key{} "
      "FROM el_raw ORDER BY _partition, _offset; DROP TABLE el_raw",
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

// The event-type column's exact name in el_src, or "" when the relation has none.
Result<std::string> FindColumn(duck::Connection& con, const std::string& wanted) {
  EL_ASSIGN_OR_RETURN(auto probe, con.Query("SELECT * FROM el_src LIMIT 0"));
  for (size_t c = 0; c < probe.ColumnCount(); ++c) {
    std::string name = probe.ColumnName(c);
    if (EqualsIgnoreCase(name, wanted)) return name;
  }
  return std::string();
}

class Stager {
 public:
  Stager(duck::Connection& con, const BatchInput& in) : con_(con), in_(in) {}

  // Writes `select` (rows of one partition) to LAKE/<table>/_staging-<id>/<range name>.
  Status Write(const std::string& table, const PartitionRange& r, const std::string& select) {
    fs::path dir = in_.lake_dir / table / ("_staging-" + in_.staging_id);
    if (dirs_.emplace(table, dir).second) EL_RETURN_IF_ERROR(MakeDirs(dir));
    fs::path file = dir / DataFileName(in_.topic, r.partition, r.first, r.last);
    return con_.Exec(fmt::format("COPY ({} ORDER BY _offset) TO {} (FORMAT parquet, COMPRESSION zstd)",
                                 select, QuoteLiteral(file.string())));
  }
  const std::map<std::string, fs::path>& dirs() const { return dirs_; }

 private:
  duck::Connection& con_;
  const BatchInput& in_;
  std::map<std::string, fs::path> dirs_;
};

// Event type tables: for each sanitized value, its raw values and the partitions holding them.
Status StageEventTypes(duck::Connection& con, const BatchInput& in, Stager& stager,
                       std::vector<std::string>& order) {
  EL_ASSIGN_OR_RETURN(std::string column, FindColumn(con, in.event_type_field));
  if (column.empty()) return Status::Ok();
  std::string value_expr = "CAST(" + QuoteIdent(column) + " AS VARCHAR)";
  EL_ASSIGN_OR_RETURN(auto values,
                      con.Query(fmt::format("SELECT DISTINCT {} FROM el_src WHERE {} IS NOT NULL",
                                            value_expr, value_expr)));
  std::map<std::string, std::vector<std::string>> by_table;
  for (size_t row = 0; row < values.RowCount(); ++row) {
    std::string raw = values.Text(0, row);
    by_table[in.topic + "_" + SanitizeName(raw)].push_back(QuoteLiteral(raw));
  }
  for (const auto& [table, raws] : by_table) {
    if (table == in.topic + "_dead_letter") continue;  // reserved for malformed records
    std::string in_list = fmt::format("{}", fmt::join(raws, ", "));
    for (const PartitionRange& r : in.ranges) {
      std::string where = fmt::format("_partition = {} AND {} IN ({})", r.partition, value_expr, in_list);
      EL_ASSIGN_OR_RETURN(auto n, con.Query("SELECT count(*) FROM el_src WHERE " + where));
      if (n.Int(0, 0) == 0) continue;
      EL_RETURN_IF_ERROR(stager.Write(table, r, "SELECT * FROM el_src WHERE " + where));
    }
    order.push_back(table);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<StagedTable>> StageBatch(duck::Connection& con, const BatchInput& in) {
  EL_RETURN_IF_ERROR(LoadSource(con, in));
  Stager stager(con, in);
  std::vector<std::string> order;
  EL_RETURN_IF_ERROR(StageEventTypes(con, in, stager, order));
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
  for (const PartitionRange& r : in.ranges) {
    EL_RETURN_IF_ERROR(stager.Write(
        in.topic, r, fmt::format("SELECT * FROM el_src WHERE _partition = {}", r.partition)));
  }
  order.push_back(in.topic);
  std::vector<StagedTable> out;
  for (const std::string& table : order) out.push_back({table, stager.dirs().at(table)});
  EL_RETURN_IF_ERROR(con.Exec("DROP TABLE IF EXISTS el_src; DROP TABLE IF EXISTS el_dead"));
  return out;
}

}  // namespace el::jobs
