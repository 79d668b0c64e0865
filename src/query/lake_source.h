#pragma once
// LakeSource: where a Session's views read a lake that is not a local folder. The source keeps a
// local folder laid out as the lake (dir()) and, before each run, makes it hold what the run's SQL
// reads; the Session then builds the same views over it as over a local lake.
// Threading: the Session's thread. Lifetime: owned by the Session.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "clients/duck/duck.h"

namespace el::query {

class LakeSource {
 public:
  virtual ~LakeSource() = default;
  // The local folder the views read; valid while the source lives.
  virtual const std::filesystem::path& dir() const = 0;
  // Makes dir() hold what `sql` reads (empty: only the lake's listing). `con` parses the SQL.
  virtual Status Prepare(duck::Connection& con, std::string_view sql) = 0;
  // Every table of the lake as readers name them (fetched or not), sorted.
  virtual std::vector<std::string> TableNames() const = 0;
};

}  // namespace el::query
