#pragma once
// The duckbox output mode (render.h): a box of Unicode line characters that fits `max_width`
// terminal columns. Values wider than 20 columns are cut with "…" unless the terminal has room;
// when the columns still do not fit, middle columns give way to one "…" column; with more than
// `max_rows` rows (0: no limit), the first and last max_rows/2 show around a "·" row. A footer
// counts rows and columns when some are hidden, and says "0 rows" for an empty result.
#include <cstddef>
#include <string>

#include "query/shell/render.h"

namespace el::query::shell {

std::string RenderDuckbox(const Table& table, size_t max_width, size_t max_rows);

}  // namespace el::query::shell
