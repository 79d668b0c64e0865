#include "jobs/record_fill.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "jobs/record_stager.h"

namespace el::jobs {
namespace {

using Kind = JsonType::Kind;
using simdjson::dom::element;
using simdjson::dom::element_type;

}  // namespace

FillColumn::FillColumn(const JsonType& t) : type(&t) {
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

std::optional<size_t> FillColumn::Find(std::string_view name) {
  const auto& fields = type->fields();
  size_t n = key_seq++;
  if (n < recent.size() && fields[recent[n]].first == name) {
    hint = recent[n] + 1;
    return recent[n];
  }
  size_t at;
  if (hint < children.size() && fields[hint].first == name) {
    at = hint;
  } else {
    auto it = index.find(name);
    if (it == index.end()) return std::nullopt;
    at = it->second;
  }
  hint = at + 1;
  if (n < kRecentKeys) {
    if (n >= recent.size()) recent.resize(n + 1);
    recent[n] = static_cast<uint32_t>(at);
  }
  return at;
}

namespace {

Status Mismatch(const FillColumn& c, element value) {
  return Internal(fmt::format("the value {} does not fit the type {} inferred for it",
                              simdjson::minify(value).substr(0, 80), c.type->SqlType()));
}

void SetNull(const FillColumn& c, duckdb_vector v, idx_t row) {
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

Status Fill(FillColumn& c, duckdb_vector v, idx_t row, element value);

Status FillStruct(FillColumn& c, duckdb_vector v, idx_t row, simdjson::dom::object object) {
  std::fill(c.seen.begin(), c.seen.end(), 0);
  c.hint = 0;
  c.key_seq = 0;
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

Status FillList(FillColumn& c, duckdb_vector v, idx_t row, simdjson::dom::array array) {
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

Status Fill(FillColumn& c, duckdb_vector v, idx_t row, element value) {
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

void FillMeta(duckdb_vector const (&meta)[kMetaColumns], idx_t row, std::string_view topic,
              const RecordMeta& record) {
  if (meta[0] != nullptr) PutText(meta[0], row, topic);
  if (meta[1] != nullptr) Put<int32_t>(meta[1], row, record.partition);
  if (meta[2] != nullptr) Put<int64_t>(meta[2], row, record.offset);
  if (meta[3] != nullptr) Put<int64_t>(meta[3], row, record.timestamp_ms * 1000);
  if (meta[4] == nullptr) return;
  if (record.has_key) {
    PutText(meta[4], row, ToValidUtf8(record.key));
  } else {
    duckdb_vector_ensure_validity_writable(meta[4]);
    duckdb_validity_set_row_invalid(duckdb_vector_get_validity(meta[4]), row);
  }
}

Status FillRecord(simdjson::dom::parser& parser, FillColumn& top,
                  const std::vector<duckdb_vector>& fields, idx_t row, std::string_view value) {
  element doc;
  if (auto err = parser.parse(value.data(), value.size(), false).get(doc); err) {
    return Internal(std::string("a staged record no longer parses: ") +
                    simdjson::error_message(err));
  }
  simdjson::dom::object object;
  if (doc.get_object().get(object)) return Internal("a staged record is not an object");
  if (top.kind != Kind::kStruct) return Status::Ok();
  std::fill(top.seen.begin(), top.seen.end(), 0);
  top.hint = 0;
  top.key_seq = 0;
  for (auto field : object) {
    std::optional<size_t> at = top.Find(field.key);
    if (!at) return Internal(fmt::format("field {} is not in the inferred type", field.key));
    top.seen[*at] = 1;
    if (fields[*at] != nullptr)
      EL_RETURN_IF_ERROR(Fill(top.children[*at], fields[*at], row, field.value));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (top.seen[i] == 0 && fields[i] != nullptr) SetNull(top.children[i], fields[i], row);
  }
  return Status::Ok();
}

}  // namespace el::jobs
