#pragma once
// StrongType<T, Tag>: a distinct integer type per meaning (Offset, FilePos, TimestampMs, PartitionId),
// so that one cannot be passed where another is expected. Arithmetic stays explicit via value().
#include <compare>
#include <cstdint>
#include <functional>

namespace el {

template <typename T, typename Tag>
class StrongType {
 public:
  using ValueType = T;
  constexpr StrongType() = default;
  constexpr explicit StrongType(T v) : value_(v) {}
  constexpr T value() const { return value_; }
  constexpr auto operator<=>(const StrongType&) const = default;
  constexpr bool operator==(const StrongType&) const = default;

 private:
  T value_{};
};

using Offset = StrongType<int64_t, struct OffsetTag>;            // absolute Kafka offset
using RelativeOffset = StrongType<uint32_t, struct RelOffsetTag>; // offset - segment base offset
using FilePos = StrongType<uint64_t, struct FilePosTag>;         // byte position in a segment file
using TimestampMs = StrongType<int64_t, struct TimestampMsTag>;  // Unix epoch milliseconds
using PartitionId = StrongType<int32_t, struct PartitionIdTag>;

}  // namespace el

template <typename T, typename Tag>
struct std::hash<el::StrongType<T, Tag>> {
  size_t operator()(const el::StrongType<T, Tag>& v) const noexcept { return std::hash<T>{}(v.value()); }
};
