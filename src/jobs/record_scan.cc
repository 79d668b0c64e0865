#include "jobs/record_scan.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "jobs/record_fill.h"
#include "jobs/record_loader.h"

namespace el::jobs {

struct RecordScan::Source {
  ~Source() {
    for (duckdb_logical_type& t : types) duckdb_destroy_logical_type(&t);
  }
  std::string topic;
  const JsonType* schema = nullptr;
  const RecordBuffer* records = nullptr;
  std::vector<std::string> names;          // metadata columns, then the schema's fields
  std::vector<duckdb_logical_type> types;  // one per name
};

namespace {

constexpr char kFunction[] = "el_records";

// The open scans by id: a query names its scan by number, and binds to it here.
std::mutex g_mu;
std::map<int64_t, std::shared_ptr<RecordScan::Source>>& Scans() {
  static auto* scans = new std::map<int64_t, std::shared_ptr<RecordScan::Source>>;
  return *scans;
}
std::atomic<int64_t> g_next_id{1};

struct BindData {
  std::shared_ptr<RecordScan::Source> source;
  uint32_t tag = 0;
};

struct GlobalState {
  std::atomic<size_t> next_segment{0};
  std::vector<idx_t> columns;  // the projected columns, by position in the output chunk
};

struct LocalState {
  explicit LocalState(const RecordScan::Source& s) : cursor(*s.records), top(*s.schema) {}
  RecordBuffer::Cursor cursor;
  bool open = false;
  FillColumn top;
  simdjson::dom::parser parser;
  std::vector<duckdb_vector> fields;
};

template <typename T>
void Delete(void* p) {
  delete static_cast<T*>(p);
}

int64_t Parameter(duckdb_bind_info info, idx_t index) {
  duckdb_value v = duckdb_bind_get_parameter(info, index);
  int64_t n = duckdb_get_int64(v);
  duckdb_destroy_value(&v);
  return n;
}

void Bind(duckdb_bind_info info) {
  int64_t id = Parameter(info, 0);
  int64_t tag = Parameter(info, 1);
  std::shared_ptr<RecordScan::Source> source;
  {
    std::lock_guard lock(g_mu);
    auto it = Scans().find(id);
    if (it != Scans().end()) source = it->second;
  }
  if (!source || tag < 0 || tag > UINT32_MAX) {
    duckdb_bind_set_error(
        info, fmt::format("{}: no record scan {} (tag {})", kFunction, id, tag).c_str());
    return;
  }
  for (size_t i = 0; i < source->names.size(); ++i)
    duckdb_bind_add_result_column(info, source->names[i].c_str(), source->types[i]);
  auto* data = new BindData{std::move(source), static_cast<uint32_t>(tag)};
  duckdb_bind_set_bind_data(info, data, Delete<BindData>);
}

void Init(duckdb_init_info info) {
  auto* bind = static_cast<BindData*>(duckdb_init_get_bind_data(info));
  auto* state = new GlobalState;
  idx_t n = duckdb_init_get_column_count(info);
  for (idx_t i = 0; i < n; ++i) state->columns.push_back(duckdb_init_get_column_index(info, i));
  duckdb_init_set_init_data(info, state, Delete<GlobalState>);
  duckdb_init_set_max_threads(info, std::max<size_t>(1, bind->source->records->segments()));
}

void LocalInit(duckdb_init_info info) {
  auto* bind = static_cast<BindData*>(duckdb_init_get_bind_data(info));
  duckdb_init_set_init_data(info, new LocalState(*bind->source), Delete<LocalState>);
}

void Scan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* bind = static_cast<BindData*>(duckdb_function_get_bind_data(info));
  auto* global = static_cast<GlobalState*>(duckdb_function_get_init_data(info));
  auto* local = static_cast<LocalState*>(duckdb_function_get_local_init_data(info));
  const RecordScan::Source& src = *bind->source;
  duckdb_vector meta[kMetaColumns] = {};
  size_t field_count = local->top.kind == JsonType::Kind::kStruct ? local->top.children.size() : 0;
  local->fields.assign(field_count, nullptr);
  for (size_t k = 0; k < global->columns.size(); ++k) {
    idx_t column = global->columns[k];
    if (column < kMetaColumns) {
      meta[column] = duckdb_data_chunk_get_vector(output, k);
    } else if (column - kMetaColumns < field_count) {
      local->fields[column - kMetaColumns] = duckdb_data_chunk_get_vector(output, k);
    }
  }
  const idx_t capacity = duckdb_vector_size();
  const size_t segments = src.records->segments();
  idx_t row = 0;
  RecordMeta record;
  std::string_view value;
  while (row < capacity) {
    if (!local->open) {
      size_t segment = global->next_segment.fetch_add(1);
      if (segment >= segments) break;
      if (Status st = local->cursor.Open(segment, bind->tag); !st.ok()) {
        duckdb_function_set_error(info, st.message().c_str());
        return;
      }
      local->open = true;
    }
    if (!local->cursor.Next(record, value)) {
      local->open = false;
      continue;
    }
    if (record.tag != bind->tag) continue;
    FillMeta(meta, row, src.topic, record);
    if (Status st = FillRecord(local->parser, local->top, local->fields, row, value); !st.ok()) {
      duckdb_function_set_error(info, st.message().c_str());
      return;
    }
    ++row;
  }
  duckdb_data_chunk_set_size(output, row);
}

Status RegisterIfAbsent(duck::Connection& con);

// The databases el_records is registered in (Database::id), guarded by g_mu.
std::set<uint64_t>& Registered() {
  static auto* ids = new std::set<uint64_t>;
  return *ids;
}

// Registers el_records in `con`'s database unless it has it (`db`: that database, when known, so
// that later calls cost a set lookup).
Status Register(duck::Connection& con, const duck::Database* db) {
  if (db != nullptr) {
    std::lock_guard lock(g_mu);
    if (Registered().count(db->id()) != 0) return Status::Ok();
  }
  EL_RETURN_IF_ERROR(RegisterIfAbsent(con));
  if (db != nullptr) {
    std::lock_guard lock(g_mu);
    Registered().insert(db->id());
  }
  return Status::Ok();
}

// Registers the function outright; DuckDB refuses a second one of the same name, and only then is
// its catalog of functions asked (a lookup there costs tens of milliseconds).
Status RegisterIfAbsent(duck::Connection& con) {
  duckdb_table_function f = duckdb_create_table_function();
  duckdb_table_function_set_name(f, kFunction);
  duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(f, bigint);
  duckdb_table_function_add_parameter(f, bigint);
  duckdb_destroy_logical_type(&bigint);
  duckdb_table_function_set_bind(f, Bind);
  duckdb_table_function_set_init(f, Init);
  duckdb_table_function_set_local_init(f, LocalInit);
  duckdb_table_function_set_function(f, Scan);
  duckdb_table_function_supports_projection_pushdown(f, true);
  duckdb_state state = duckdb_register_table_function(con.get(), f);
  duckdb_destroy_table_function(&f);
  if (state == DuckDBSuccess) return Status::Ok();
  EL_ASSIGN_OR_RETURN(
      auto known,
      con.Query(fmt::format("SELECT count(*) FROM duckdb_functions() WHERE function_name = {}",
                            duck::QuoteLiteral(kFunction))));
  if (known.Int(0, 0) > 0) return Status::Ok();
  return InvalidArgument("DuckDB refused the table function el_records");
}

}  // namespace

Result<std::unique_ptr<RecordScan>> RecordScan::Open(duck::Connection& con, const duck::Database* db,
                                                     std::string topic, const JsonType& schema,
                                                     const RecordBuffer& records) {
  EL_RETURN_IF_ERROR(Register(con, db));
  auto source = std::make_shared<Source>();
  source->topic = std::move(topic);
  source->schema = &schema;
  source->records = &records;
  // The columns' logical types, as DuckDB spells the stager's SQL types.
  std::string select =
      "SELECT NULL::VARCHAR, NULL::INTEGER, NULL::BIGINT, NULL::TIMESTAMP, NULL::VARCHAR";
  source->names.assign(std::begin(kMetaColumnNames), std::end(kMetaColumnNames));
  if (schema.kind() == JsonType::Kind::kStruct) {
    for (const auto& [field, type] : schema.fields()) {
      select += ", NULL::" + type->SqlType();
      source->names.push_back(field);
    }
  }
  duckdb_result res;
  if (duckdb_query(con.get(), (select + " LIMIT 0").c_str(), &res) == DuckDBError) {
    std::string error = duckdb_result_error(&res);
    duckdb_destroy_result(&res);
    return InvalidArgument("the records' types: " + error);
  }
  for (idx_t i = 0; i < duckdb_column_count(&res); ++i)
    source->types.push_back(duckdb_column_logical_type(&res, i));
  duckdb_destroy_result(&res);
  int64_t id = g_next_id.fetch_add(1);
  {
    std::lock_guard lock(g_mu);
    Scans().emplace(id, std::move(source));
  }
  return std::unique_ptr<RecordScan>(new RecordScan(id));
}

RecordScan::~RecordScan() {
  std::lock_guard lock(g_mu);
  Scans().erase(id_);
}

std::string RecordScan::Relation(uint32_t tag) const {
  return fmt::format("{}({}, {})", kFunction, id_, tag);
}

}  // namespace el::jobs
