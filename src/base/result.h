#pragma once
// Result<T>: a value or a non-OK Status (C++20 has no std::expected).
#include <optional>
#include <utility>

#include "base/check.h"
#include "base/status.h"

namespace el {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    EL_CHECK(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { EL_CHECK(ok()); return *value_; }
  const T& value() const& { EL_CHECK(ok()); return *value_; }
  T&& value() && { EL_CHECK(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace el

#define EL_CONCAT_INNER_(a, b) a##b
#define EL_CONCAT_(a, b) EL_CONCAT_INNER_(a, b)
#define EL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
// EL_ASSIGN_OR_RETURN(auto x, MakeX()); returns the Status from the enclosing function on failure.
#define EL_ASSIGN_OR_RETURN(lhs, expr) \
  EL_ASSIGN_OR_RETURN_IMPL_(EL_CONCAT_(el_result_, __LINE__), lhs, expr)
