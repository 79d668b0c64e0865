#pragma once
// The lake's naming rules. A table is a folder LAKE/<table>/ of Parquet files, possibly below Hive
// partition folders (`dt=2024-01-01/`). Names starting with '_' or '.' are hidden: Spark, Trino,
// DuckDB's readers of the lake and every eventlake command skip them (staging, `_SUCCESS`,
// `_schema/`, `_progress/`, locks). A data file is named after the source range it holds,
// `<topic>+<partition>+<first>-<last>.parquet` (DuckDB's extra part files of one range add
// `_<i>` before `.parquet`), so a replay of the same range replaces a file instead of doubling it.
// Pure code; thread-safe.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace el::lake {

// Partition -> the next offset to land there (the last landed offset + 1).
using NextOffsets = std::map<int32_t, int64_t>;

// Parses a whole decimal number >= 0 (offsets, partitions in names and progress records).
bool ParseNonNegative(std::string_view text, int64_t& out);

// Whether readers skip a file or folder of this name.
bool IsHidden(std::string_view name);

// Lower-cases and maps every character outside [a-z0-9_] to '_'; "" becomes "empty". A result
// longer than kMaxSanitizedName keeps its first characters plus '_' and 8 hex digits of a hash of
// `value` (FNV-1a, the same in every run), so that table folders stay valid file names.
constexpr size_t kMaxSanitizedName = 64;
std::string SanitizeName(std::string_view value);

// `<topic>+<partition>+<first>-<last>.parquet`.
std::string DataFileName(std::string_view topic, int32_t partition, int64_t first, int64_t last);

struct DataFileRange {
  int32_t partition = 0;
  int64_t first = 0;
  int64_t last = 0;
};
// Parses a DataFileName of `topic` (also with a `_<i>` part suffix); nullopt for any other name.
std::optional<DataFileRange> ParseDataFileName(std::string_view topic, std::string_view name);

// Whether `name` is a data file name of any topic (a file eventlake wrote, not another tool's).
bool IsDataFileName(std::string_view name);

// The `index`-th file DuckDB wrote for one range: `<stem>.parquet` for "0", else
// `<stem>_<index>.parquet`.
std::string PartFileName(const std::string& stem, std::string_view index);

}  // namespace el::lake
