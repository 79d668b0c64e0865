#include "jobs/record_loader.h"

#include <chrono>
#include <algorithm>
#include <optional>
#include <thread>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "jobs/record_stager.h"

namespace el::jobs {
namespace {

using Kind = JsonType::Kind;
using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr size_t kMetaColumns = 5;

// How a value of one field is written: its type, and for a STRUCT or LIST the columns below.
struct Column {
  explicit Column(const JsonType& t) : type(&t) {
    kind = t.kind();
    if (kind == Kind::kNull || (kind == Kind::kStruct && t.fields().empty())) kind = Kind::kJson;
    if (kind == Kind::kStruct) {
      for (const auto& [name, child] : t.fields()) {
        index.emplace(name, children.size());
        children.emplace_back(*child);
      }
      seen.resize(children.size());
    } else if (kind == Kind::kList) {
      children.emplace_back(*t.element());
    }
  }

  // The position of field `name` (the record's keys mostly come in the schema's order).
  std::optional<size_t> Find(std::string_view name) {
    if (hint < children.size() && type->fields()[hint].first == name) return hint++;
    auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    hint = it->second + 1;
    return it->second;
  }

  const JsonType* type;
  Kind kind;
  std::vector<Column> children;  // struct fields in order, or the list element
  std::unordered_map<std::string_view, size_t> index;  // struct field name -> position
  std::vector<char> seen;                              // scratch: fields present in the object
  size_t hint = 0;
};

Status Mismatch(const Column& c, element value) {
  return Internal(fmt::format("the value {} does not fit the type {} inferred for it",
                              simdjson::minify(value).substr(0, 80), c.type->SqlType()));
}

void SetNull(const Column& c, duckdb_vector v, idx_t row) {
  duckdb_vector_ensure_validity_writable(v);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(v), row);
  if (c.kind == Kind::kStruct) {
    for (size_t i = 0; i < c.children.size(); ++i)
      SetNull(c.children[i], duckdb_struct_vector_get_child(v, i), row);
  } else if (c.kind == Kind::kList) {
    static_cast<duckdb_list_entry*>(duckdb_vector_get_data(v))[row] = {
        duckdb_list_vector_get_size(v), 0};
  }
}

template <typename T>
void Put(duckdb_vector v, idx_t row, T value) {
  static_cast<T*>(duckdb_vector_get_data(v))[row] = value;
}

void PutText(duckdb_vector v, idx_t row, std::string_view text) {
  duckdb_vector_assign_string_element_len(v, row, text.data(), text.size());
}

Status Fill(Column& c, duckdb_vector v, idx_t row, element value);

Status FillStruct(Column& c, duckdb_vector v, idx_t row, simdjson::dom::object object) {
  std::fill(c.seen.begin(), c.seen.end(), 0);
  c.hint = 0;
  for (auto field : object) {
    std::optional<size_t> at = c.Find(field.key);
    if (!at)
      return Internal(
          fmt::format("field {} is not in the inferred type {}", field.key, c.type->SqlType()));
    c.seen[*at] = 1;
    EL_RETURN_IF_ERROR(
        Fill(c.children[*at], duckdb_struct_vector_get_child(v, *at), row, field.value));
  }
  for (size_t i = 0; i < c.children.size(); ++i) {
    if (c.seen[i] == 0) SetNull(c.children[i], duckdb_struct_vector_get_child(v, i), row);
  }
  return Status::Ok();
}

Status FillList(Column& c, duckdb_vector v, idx_t row, simdjson::dom::array array) {
  idx_t start = duckdb_list_vector_get_size(v);
  idx_t n = array.size();
  if (duckdb_list_vector_reserve(v, start + n) == DuckDBError ||
      duckdb_list_vector_set_size(v, start + n) == DuckDBError) {
    return ResourceExhausted("cannot grow a list vector");
  }
  Put(v, row, duckdb_list_entry{start, n});
  duckdb_vector items = duckdb_list_vector_get_child(v);
  idx_t i = start;
  for (element item : array) EL_RETURN_IF_ERROR(Fill(c.children[0], items, i++, item));
  return Status::Ok();
}

Status Fill(Column& c, duckdb_vector v, idx_t row, element value) {
  element_type t = value.type();
  if (t == element_type::NULL_VALUE) {
    SetNull(c, v, row);
    return Status::Ok();
  }
  switch (c.kind) {
    case Kind::kBoolean:
      if (t != element_type::BOOL) return Mismatch(c, value);
      Put<bool>(v, row, value.get_bool().value_unsafe());
      return Status::Ok();
    case Kind::kBigint:
      if (t != element_type::INT64) return Mismatch(c, value);
      Put<int64_t>(v, row, value.get_int64().value_unsafe());
      return Status::Ok();
    case Kind::kDouble:
      if (t == element_type::INT64) {
        Put<double>(v, row, static_cast<double>(value.get_int64().value_unsafe()));
      } else if (t == element_type::UINT64) {
        Put<double>(v, row, static_cast<double>(value.get_uint64().value_unsafe()));
      } else if (t == element_type::DOUBLE) {
        Put<double>(v, row, value.get_double().value_unsafe());
      } else {
        return Mismatch(c, value);
      }
      return Status::Ok();
    case Kind::kDate:
    case Kind::kTimestamp: {
      std::optional<int64_t> micros;
      if (t == element_type::STRING) micros = IsoMicros(value.get_string().value_unsafe());
      if (!micros) return Mismatch(c, value);
      if (c.kind == Kind::kDate) {
        Put<int32_t>(v, row, static_cast<int32_t>(*micros / 86'400'000'000LL));
      } else {
        Put<int64_t>(v, row, *micros);
      }
      return Status::Ok();
    }
    case Kind::kVarchar:
      if (t != element_type::STRING) return Mismatch(c, value);
      PutText(v, row, value.get_string().value_unsafe());
      return Status::Ok();
    case Kind::kStruct:
      if (t != element_type::OBJECT) return Mismatch(c, value);
      return FillStruct(c, v, row, value.get_object().value_unsafe());
    case Kind::kList:
      if (t != element_type::ARRAY) return Mismatch(c, value);
      return FillList(c, v, row, value.get_array().value_unsafe());
    case Kind::kNull:
    case Kind::kJson:
      break;
  }
  PutText(v, row, simdjson::minify(value));
  return Status::Ok();
}

}  // namespace


namespace {

// Appends the records of segments [first, end) to table `part` on a connection of its own.
Status LoadPart(const duck::Database& db, const std::string& part, std::string_view topic,
                const JsonType& schema, const RecordBuffer& records, size_t first, size_t end) {
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  EL_ASSIGN_OR_RETURN(duck::Appender app, duck::Appender::Create(con, part));
  Column top(schema);
  duck::DataChunk chunk = app.NewChunk();
  const size_t capacity = duck::DataChunk::Capacity();
  size_t fields = top.kind == Kind::kStruct ? top.children.size() : 0;
  std::vector<duckdb_vector> vectors(kMetaColumns + fields);
  for (size_t i = 0; i < vectors.size(); ++i) vectors[i] = chunk.Column(i);
  simdjson::dom::parser parser;
  idx_t row = 0;
  Status st =
      records.ForEachIn(first, end, [&](const RecordMeta& meta, std::string_view value) -> Status {
        PutText(vectors[0], row, topic);
        Put<int32_t>(vectors[1], row, meta.partition);
        Put<int64_t>(vectors[2], row, meta.offset);
        Put<int64_t>(vectors[3], row, meta.timestamp_ms * 1000);
        if (meta.has_key) {
          PutText(vectors[4], row, ToValidUtf8(meta.key));
        } else {
          duckdb_vector_ensure_validity_writable(vectors[4]);
          duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors[4]), row);
        }
        element doc;
        if (auto err = parser.parse(value.data(), value.size(), false).get(doc); err) {
          return Internal(std::string("a staged record no longer parses: ") +
                          simdjson::error_message(err));
        }
        simdjson::dom::object object;
        if (doc.get_object().get(object)) return Internal("a staged record is not an object");
        if (fields > 0) {
          std::fill(top.seen.begin(), top.seen.end(), 0);
          top.hint = 0;
          for (auto field : object) {
            std::optional<size_t> at = top.Find(field.key);
            if (!at)
              return Internal(fmt::format("field {} is not in the inferred type", field.key));
            top.seen[*at] = 1;
            EL_RETURN_IF_ERROR(
                Fill(top.children[*at], vectors[kMetaColumns + *at], row, field.value));
          }
          for (size_t i = 0; i < fields; ++i) {
            if (top.seen[i] == 0) SetNull(top.children[i], vectors[kMetaColumns + i], row);
          }
        }
        if (++row == capacity) {
          EL_RETURN_IF_ERROR(app.AppendChunk(chunk, row));
          row = 0;
          for (size_t i = 0; i < vectors.size(); ++i) vectors[i] = chunk.Column(i);
        }
        return Status::Ok();
      });
  EL_RETURN_IF_ERROR(st);
  if (row > 0) EL_RETURN_IF_ERROR(app.AppendChunk(chunk, row));
  return app.Close();
}

std::string PartName(const std::string& name, size_t i) {
  return fmt::format("{}_part_{}", name, i);
}

}  // namespace

Status LoadRecords(const duck::Database& db, duck::Connection& con, const std::string& name,
                   std::string_view topic, const JsonType& schema, const RecordBuffer& records,
                   size_t threads) {
  EL_RETURN_IF_ERROR(DropRecords(con, name));
  std::string columns = kMetaSchema;
  if (schema.kind() == Kind::kStruct) {
    for (const auto& [field, type] : schema.fields()) {
      columns += fmt::format(", {} {}", duck::QuoteIdent(field), type->SqlType());
    }
  }
  size_t segments = records.segments();
  size_t parts = std::clamp<size_t>(std::min(threads, segments), 1, 16);
  std::vector<std::string> selects;
  for (size_t i = 0; i < parts; ++i) {
    std::string part = PartName(name, i);
    EL_RETURN_IF_ERROR(
        con.Exec(fmt::format("CREATE TABLE {} ({})", duck::QuoteIdent(part), columns)));
    selects.push_back("SELECT * FROM " + duck::QuoteIdent(part));
  }
  std::vector<Status> results(parts);
  std::vector<std::thread> workers;
  for (size_t i = 1; i < parts; ++i) {
    workers.emplace_back([&, i] {
      results[i] = LoadPart(db, PartName(name, i), topic, schema, records, segments * i / parts,
                            segments * (i + 1) / parts);
    });
  }
  results[0] = LoadPart(db, PartName(name, 0), topic, schema, records, 0, segments / parts);
  for (std::thread& t : workers) t.join();
  for (const Status& st : results) EL_RETURN_IF_ERROR(st);
  return con.Exec(fmt::format("CREATE VIEW {} AS {}", duck::QuoteIdent(name),
                              fmt::join(selects, " UNION ALL ")));
}

Status DropRecords(duck::Connection& con, const std::string& name) {
  EL_ASSIGN_OR_RETURN(
      auto views, con.Query(fmt::format("SELECT count(*) FROM duckdb_views() WHERE view_name = {}",
                                        duck::QuoteLiteral(name))));
  if (views.Int(0, 0) > 0) EL_RETURN_IF_ERROR(con.Exec("DROP VIEW " + duck::QuoteIdent(name)));
  EL_ASSIGN_OR_RETURN(
      auto tables,
      con.Query(
          fmt::format("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE {} ESCAPE '\\'",
                      duck::QuoteLiteral(name + "\\_part\\_%"))));
  for (size_t r = 0; r < tables.RowCount(); ++r) {
    EL_RETURN_IF_ERROR(con.Exec("DROP TABLE " + duck::QuoteIdent(tables.Text(0, r))));
  }
  return Status::Ok();
}

}  // namespace el::jobs
