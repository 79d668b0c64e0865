#include "jobs/record_loader.h"

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "jobs/record_fill.h"

namespace el::jobs {
namespace {

// Appends the records of segments [first, end) to table `part` on a connection of its own.
Status LoadPart(const duck::Database& db, const std::string& part, std::string_view topic,
                const JsonType& schema, const RecordBuffer& records, size_t first, size_t end) {
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  EL_ASSIGN_OR_RETURN(duck::Appender app, duck::Appender::Create(con, part));
  FillColumn top(schema);
  duck::DataChunk chunk = app.NewChunk();
  const size_t capacity = duck::DataChunk::Capacity();
  size_t fields = top.kind == JsonType::Kind::kStruct ? top.children.size() : 0;
  duckdb_vector meta[kMetaColumns];
  std::vector<duckdb_vector> vectors(fields);
  auto bind = [&] {
    for (size_t i = 0; i < kMetaColumns; ++i) meta[i] = chunk.Column(i);
    for (size_t i = 0; i < fields; ++i) vectors[i] = chunk.Column(kMetaColumns + i);
  };
  bind();
  simdjson::dom::parser parser;
  idx_t row = 0;
  Status st = records.ForEachIn(first, end,
                                [&](const RecordMeta& record, std::string_view value) -> Status {
                                  FillMeta(meta, row, topic, record);
                                  EL_RETURN_IF_ERROR(FillRecord(parser, top, vectors, row, value));
                                  if (++row == capacity) {
                                    EL_RETURN_IF_ERROR(app.AppendChunk(chunk, row));
                                    row = 0;
                                    bind();
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
  if (schema.kind() == JsonType::Kind::kStruct) {
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
  EL_RETURN_IF_ERROR(con.Exec("DROP VIEW IF EXISTS " + duck::QuoteIdent(name)));
  // LoadRecords creates parts 0, 1, ... (asking DuckDB's catalog views for them costs tens of
  // milliseconds; a table lookup does not).
  for (size_t i = 0; con.HasTable(PartName(name, i)); ++i) {
    EL_RETURN_IF_ERROR(con.Exec("DROP TABLE " + duck::QuoteIdent(PartName(name, i))));
  }
  return Status::Ok();
}

}  // namespace el::jobs
