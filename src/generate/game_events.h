#pragma once
// Game events like the ones the seed's Flask tracking API logged: event_type default /
// purchase_sword / purchase_knife / join_guild / buy_a_horse, request headers (Host,
// User-Agent, Accept), received_at, event_id, user_id; purchases carry a nested `item`
// {kind, color, price} and sometimes a `tags` list. Deterministic for a seed.
#include <cstdint>
#include <ostream>

namespace el::generate {

// Writes `count` NDJSON lines to `out`.
void GenerateGameEvents(int64_t count, uint64_t seed, std::ostream& out);

}  // namespace el::generate
