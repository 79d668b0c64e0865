#include "generate/game_events.h"

#include <string>

#include <fmt/format.h>

#include "generate/json_writer.h"
#include "generate/rng.h"

namespace el::generate {
namespace {

constexpr int64_t kStartMs = 1514808000000;  // 2018-01-01T12:00:00Z

const char* Pick(Rng& rng, std::initializer_list<const char*> items) {
  return items.begin()[rng.Next() % items.size()];
}

const char* EventType(Rng& rng) {
  int64_t r = rng.Range(0, 99);
  if (r < 40) return "default";
  if (r < 65) return "purchase_sword";
  if (r < 80) return "purchase_knife";
  if (r < 92) return "join_guild";
  return "buy_a_horse";
}

void AddItem(Rng& rng, JsonWriter& w, const std::string& type) {
  std::string kind = type == "purchase_sword" ? Pick(rng, {"longsword", "katana", "broadsword"})
                     : type == "purchase_knife" ? Pick(rng, {"dagger", "kunai", "hunting"})
                                                : Pick(rng, {"pony", "stallion", "mare"});
  w.BeginObject("item")
      .String("kind", kind)
      .String("color", Pick(rng, {"red", "blue", "green", "black", "silver"}))
      .Double("price", static_cast<double>(rng.Range(100, 9999)) / 100.0)
      .EndObject();
  if (rng.Chance(0.4)) {
    w.BeginArray("tags");
    int64_t n = rng.Range(1, 3);
    for (int64_t i = 0; i < n; ++i) w.String("", Pick(rng, {"sale", "rare", "gift", "bundle"}));
    w.EndArray();
  }
}

}  // namespace

void GenerateGameEvents(int64_t count, uint64_t seed, std::ostream& out) {
  Rng rng(seed);
  int64_t now_ms = kStartMs;
  for (int64_t i = 0; i < count; ++i) {
    now_ms += rng.Range(10, 5000);
    std::string type = EventType(rng);
    JsonWriter w;
    w.BeginObject()
        .String("event_type", type)
        .String("Host", Pick(rng, {"localhost:5000", "user1.comcast.com", "user2.att.com"}))
        .String("User-Agent", Pick(rng, {"curl/7.47.0", "ApacheBench/2.3",
                                         "Mozilla/5.0 (X11; Linux x86_64) Firefox/57.0"}))
        .String("Accept", "*/*")
        .String("received_at", IsoMillis(now_ms))
        .String("event_id", rng.Uuid())
        .String("user_id", fmt::format("user_{}", rng.Range(1, 500)));
    if (type == "join_guild") {
      w.String("guild_name", Pick(rng, {"knights", "rogues", "mages"}));
    } else if (type != "default") {
      AddItem(rng, w, type);
    }
    w.EndObject();
    out << w.str() << '\n';
  }
}

}  // namespace el::generate
