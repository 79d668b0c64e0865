#pragma once
// The format version of a broker data directory, recorded in `<data_dir>/FORMAT` as one line
// `eventlake-log-format <N>` (docs/formats/segment.md). A directory without the file predates it
// and is version 1. This eventlake reads versions 1..kLogFormatVersion and refuses a newer one
// rather than misread it. Not thread-safe; called once while the directory lock is held.
#include <string>

#include "base/result.h"

namespace el::storage {

inline constexpr int kLogFormatVersion = 1;
inline constexpr char kLogFormatFile[] = "FORMAT";

// The directory's version (1 when it has no FORMAT file). Errors: InvalidArgument naming the
// directory for a version newer than kLogFormatVersion or a FORMAT file that is not one;
// IOError when the file cannot be read.
Result<int> ReadLogFormat(const std::string& data_dir);

// Checks the directory's version (ReadLogFormat) and, when it has no FORMAT file yet, records
// kLogFormatVersion durably. Same errors as ReadLogFormat, plus IOError when the write fails.
Status CheckAndRecordLogFormat(const std::string& data_dir);

}  // namespace el::storage
