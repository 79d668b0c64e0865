#include "console/console_server.h"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdint>
#include <condition_variable>
#include <fmt/format.h>
#include <mutex>
#include <stop_token>
#include <thread>

#include "base/json_text.h"
#include "console/access.h"
#include "console/assets.h"
#include "console/lake_json.h"
#include "console/rate_ring.h"
#include "console/replay_gate.h"

namespace el::console {
namespace {

constexpr size_t kRingSeconds = 15 * 60;
constexpr size_t kMaxSqlBodyBytes = 256 * 1024;
constexpr int kListenerThreads = 3;
constexpr size_t kLiveMaxEvents = 200;
constexpr size_t kDeadLettersShown = 50;
constexpr int kMaxBrowse = 500;
constexpr auto kReplayQuestionTtl = std::chrono::seconds(120);

// Sent with every answer: the pages load nothing from elsewhere, and run no inline script.
const std::vector<std::pair<std::string, std::string>> kCommonHeaders = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
     "data:; connect-src 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
};

net::AdminResponse Json(int status, std::string body) {
  return {status, "application/json", std::move(body), {}};
}

net::AdminResponse JsonError(int status, std::string_view message) {
  std::string body = "{\"error\":";
  AppendJsonString(body, message);
  body += '}';
  return Json(status, std::move(body));
}

int ToHttpStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kDeadlineExceeded:
      return 408;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kFailedPrecondition:
      return 409;
    default:
      return 500;
  }
}

// `text` as a whole number in [min, max]; nullopt otherwise.
std::optional<int64_t> ParseWhole(std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    return std::nullopt;
  return v;
}

void AppendCell(std::string& out, const std::optional<std::string>& cell) {
  if (cell) {
    AppendJsonString(out, *cell);
  } else {
    out += "null";
  }
}

std::string SqlResultJson(const SqlResult& r) {
  std::string out = "{\"columns\":[";
  for (size_t i = 0; i < r.columns.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, r.columns[i]);
  }
  out += "],\"rows\":[";
  for (size_t i = 0; i < r.rows.size(); ++i) {
    out += i > 0 ? ",[" : "[";
    for (size_t c = 0; c < r.rows[i].size(); ++c) {
      if (c > 0) out += ',';
      AppendCell(out, r.rows[i][c]);
    }
    out += ']';
  }
  out += fmt::format("],\"truncated\":{},\"elapsed_ms\":{:.1f}}}", r.truncated ? "true" : "false",
                     r.elapsed_ms);
  return out;
}

}  // namespace

struct ConsoleServer::Impl {
  ConsoleOptions options;
  ConsoleSources sources;
  RateRing ring{kRingSeconds};
  std::unique_ptr<SqlRunner> sql;  // null without a lake
  ReplayGate replay_gate{kReplayQuestionTtl};
  std::unique_ptr<net::AdminServer> server;
  std::jthread sampler;  // declared last: stopped first

  net::AdminResponse Handle(const net::AdminRequest& r);
  net::AdminResponse Api(const net::AdminRequest& r);
  net::AdminResponse Sql(const net::AdminRequest& r);
  net::AdminResponse Messages(const net::AdminRequest& r);
  net::AdminResponse Replay(const net::AdminRequest& r);
  net::AdminResponse LakeApi(const net::AdminRequest& r);
  void Sample(std::stop_token stop);
};

net::AdminResponse ConsoleServer::Impl::Handle(const net::AdminRequest& r) {
  net::AdminResponse answer;
  if (r.method == "GET" && r.path == "/" && !options.token.empty() &&
      Authorized(options.token, "",
                 std::string(kTokenCookie) + "=" + QueryParam(r.query, "token"))) {
    // `/?token=T`: keep the token in a cookie and drop it from the address bar.
    answer = {303, "text/plain; charset=utf-8", "", {}};
    answer.headers.emplace_back("Location", "/");
    answer.headers.emplace_back("Set-Cookie", std::string(kTokenCookie) + "=" + options.token +
                                                  "; Path=/; HttpOnly; SameSite=Strict");
  } else if (!Authorized(options.token, r.authorization, r.cookie)) {
    answer = r.path.rfind("/api/", 0) == 0
                 ? JsonError(401, "this console needs its token (Authorization: Bearer TOKEN)")
                 : net::AdminResponse{401,
                                      "text/plain; charset=utf-8",
                                      "This console needs its token: open /?token=TOKEN\n",
                                      {}};
  } else if (r.path.rfind("/api/", 0) == 0) {
    answer = Api(r);
  } else if (r.method != "GET") {
    answer = {405, "text/plain; charset=utf-8", "only GET\n", {{"Allow", "GET"}}};
  } else if (const Asset* asset = FindAsset(r.path == "/" ? "/index.html" : r.path)) {
    answer = {200, std::string(asset->content_type), std::string(asset->data), {}};
  } else {
    answer = {404, "text/plain; charset=utf-8", "no such page: " + r.path + "\n", {}};
  }
  for (const auto& h : kCommonHeaders) answer.headers.push_back(h);
  return answer;
}

net::AdminResponse ConsoleServer::Impl::Api(const net::AdminRequest& r) {
  if (r.path == "/api/sql") return Sql(r);
  if (r.path == "/api/replay") return Replay(r);
  if (r.method != "GET") {
    auto answer = JsonError(405, "use GET");
    answer.headers.emplace_back("Allow", "GET");
    return answer;
  }
  if (r.path == "/api/health") {
    if (!sources.health) return Json(200, "{\"status\":\"ok\",\"components\":{}}");
    // 200 whatever the health: the page reads "status" (an unwell pipeline is no failed request).
    return Json(200, sources.health().body);
  }
  if (r.path == "/api/metrics") {
    return Json(200, sources.metrics_json ? sources.metrics_json() : "{\"samples\":[]}");
  }
  if (r.path == "/api/rates") return Json(200, ring.ToJson());
  if (r.path == "/api/live") {
    if (!sources.live) return JsonError(409, "this console reads no log (--brokers)");
    if (sources.live_wanted) sources.live_wanted();
    uint64_t after = 0;
    std::string text = QueryParam(r.query, "after");
    if (!text.empty()) {
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), after);
      if (ec != std::errc() || end != text.data() + text.size())
        return JsonError(400, "after must be a whole number");
    }
    return Json(200, sources.live->JsonSince(after, kLiveMaxEvents));
  }
  if (r.path == "/api/topics" || r.path == "/api/groups") {
    const auto& source = r.path == "/api/topics" ? sources.topics_json : sources.groups_json;
    if (!source) return JsonError(409, "this console reads no log (--brokers)");
    auto json = source();
    if (!json.ok()) return JsonError(503, json.status().message());
    return Json(200, std::move(*json));
  }
  if (r.path == "/api/messages") return Messages(r);
  if (r.path == "/api/disk") {
    return Json(200, sources.disk_json ? sources.disk_json() : "{\"log\":null,\"lake\":null}");
  }
  if (r.path == "/api/tables" || r.path == "/api/dead-letters" || r.path == "/api/schema")
    return LakeApi(r);
  return JsonError(404, "no such API: " + r.path);
}

net::AdminResponse ConsoleServer::Impl::Sql(const net::AdminRequest& r) {
  if (r.method != "POST") {
    auto answer = JsonError(405, "use POST with {\"sql\": \"...\"}");
    answer.headers.emplace_back("Allow", "POST");
    return answer;
  }
  if (!sql) return JsonError(409, "this console has no lake (--lake)");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS)
    return JsonError(400, "the body must be JSON: {\"sql\": \"SELECT ...\"}");
  std::string_view text;
  if (doc["sql"].get(text) != simdjson::SUCCESS)
    return JsonError(400, "the body needs a string \"sql\"");
  auto result = sql->Run(text);
  if (!result.ok()) return JsonError(ToHttpStatus(result.status()), result.status().message());
  return Json(200, SqlResultJson(*result));
}

net::AdminResponse ConsoleServer::Impl::LakeApi(const net::AdminRequest& r) {
  if (!sql) return JsonError(409, "this console has no lake (--lake)");
  if (r.path == "/api/schema") {
    std::string table = QueryParam(r.query, "table");
    if (table.empty()) return JsonError(400, "say which table: /api/schema?table=NAME");
    auto json = SchemaJson(options.lake_dir, table);
    if (!json.ok()) return JsonError(ToHttpStatus(json.status()), json.status().message());
    return Json(200, std::move(*json));
  }
  if (r.path == "/api/dead-letters") {
    auto dead = sql->DeadLetters(kDeadLettersShown);
    if (!dead.ok() && dead.status().code() == StatusCode::kFailedPrecondition)
      return Json(200, "{\"tables\":[]}");  // no lake yet: no dead letters either
    if (!dead.ok()) return JsonError(ToHttpStatus(dead.status()), dead.status().message());
    return Json(200, DeadLettersJson(*dead));
  }
  auto tables = sql->Tables();
  if (!tables.ok() && tables.status().code() == StatusCode::kFailedPrecondition) {
    std::string body = "{\"tables\":[],\"problem\":";
    AppendJsonString(body, tables.status().message());
    return Json(200, body + "}");
  }
  if (!tables.ok()) return JsonError(ToHttpStatus(tables.status()), tables.status().message());
  return Json(200, TablesJson(*tables));
}

net::AdminResponse ConsoleServer::Impl::Messages(const net::AdminRequest& r) {
  if (!sources.messages_json) return JsonError(409, "this console reads no log (--brokers)");
  MessageQuery q;
  q.topic = QueryParam(r.query, "topic");
  if (q.topic.empty()) return JsonError(400, "say which topic: /api/messages?topic=NAME");
  std::string partition = QueryParam(r.query, "partition");
  std::string offset = QueryParam(r.query, "offset");
  std::string time = QueryParam(r.query, "time");
  std::string limit = QueryParam(r.query, "limit");
  if (!offset.empty() && !time.empty()) return JsonError(400, "give offset or time, not both");
  auto p = partition.empty() ? std::optional<int64_t>(0) : ParseWhole(partition, 0, INT32_MAX);
  auto o = offset.empty() ? std::optional<int64_t>(0) : ParseWhole(offset, 0, INT64_MAX);
  auto t = time.empty() ? std::optional<int64_t>(0) : ParseWhole(time, 0, INT64_MAX);
  auto n = limit.empty() ? std::optional<int64_t>(50) : ParseWhole(limit, 1, kMaxBrowse);
  if (!p) return JsonError(400, "partition must be a whole number");
  if (!o) return JsonError(400, "offset must be a whole number");
  if (!t) return JsonError(400, "time must be milliseconds since the epoch");
  if (!n)
    return JsonError(400, fmt::format("limit must be a whole number from 1 to {}", kMaxBrowse));
  q.partition = static_cast<int32_t>(*p);
  q.offset = *o;
  if (!time.empty()) q.time_ms = *t;
  q.limit = static_cast<int>(*n);
  auto json = sources.messages_json(q);
  if (!json.ok()) {
    int status = json.status().code() == StatusCode::kNotFound ? 404 : 503;
    return JsonError(status, json.status().message());
  }
  return Json(200, std::move(*json));
}

// POST {"table": T} asks (the answer names what would be replayed and a code); POST {"table": T,
// "confirm": CODE} acts. See ReplayGate.
net::AdminResponse ConsoleServer::Impl::Replay(const net::AdminRequest& r) {
  if (r.method != "POST") {
    auto answer = JsonError(405, "use POST with {\"table\": \"...\"}");
    answer.headers.emplace_back("Allow", "POST");
    return answer;
  }
  if (!sources.replay || !sql)
    return JsonError(409, "this console cannot replay (no log or no lake)");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view table;
  if (parser.parse(r.body).get(doc) != simdjson::SUCCESS ||
      doc["table"].get(table) != simdjson::SUCCESS || table.empty())
    return JsonError(400, "the body must be JSON with a string \"table\"");
  auto dead = sql->DeadLetters(0);
  if (!dead.ok()) return JsonError(ToHttpStatus(dead.status()), dead.status().message());
  const DeadLetterTable* found = nullptr;
  for (const DeadLetterTable& t : *dead)
    if (t.source == table) found = &t;
  if (found == nullptr)
    return JsonError(404, "table " + std::string(table) + " has no dead letters");
  std::string_view code;
  simdjson::dom::element confirm;
  bool asking = doc["confirm"].get(confirm) != simdjson::SUCCESS;
  if (!asking && confirm.get(code) != simdjson::SUCCESS)
    return JsonError(400, "\"confirm\" must be the code the question gave");
  if (asking) {
    std::string body = "{\"table\":";
    AppendJsonString(body, table);
    body += ",\"dead_letter_table\":";
    AppendJsonString(body, found->table);
    body += fmt::format(",\"rows\":{},\"replayed\":{},\"confirm\":\"{}\",\"expires_in_s\":{}}}",
                        found->rows, found->replayed, replay_gate.Issue(found->source),
                        replay_gate.ttl().count());
    return Json(200, std::move(body));
  }
  if (!replay_gate.Take(found->source, std::string(code)))
    return JsonError(409, "that confirmation is unknown, used or expired: ask again");
  auto done = sources.replay(found->source);
  if (!done.ok()) return JsonError(ToHttpStatus(done.status()), done.status().message());
  std::string body =
      fmt::format("{{\"replayed\":{},\"already_replayed\":{},\"message\":", done->replayed,
                  done->already_replayed);
  AppendJsonString(body, done->message);
  return Json(200, body + "}");
}

void ConsoleServer::Impl::Sample(std::stop_token stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  while (!stop.stop_requested()) {
    auto [in, landed] = sources.counters();
    int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    ring.Add(now, in, landed);
    std::unique_lock lock(mu);
    cv.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
  }
}

ConsoleServer::ConsoleServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConsoleServer::~ConsoleServer() { Stop(); }

Result<std::unique_ptr<ConsoleServer>> ConsoleServer::Start(ConsoleOptions options,
                                                            ConsoleSources sources) {
  EL_RETURN_IF_ERROR(CheckListenNeedsToken(options.listen.host, options.token));
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->sources = std::move(sources);
  if (!impl->options.lake_dir.empty())
    impl->sql = std::make_unique<SqlRunner>(impl->options.lake_dir, impl->options.sql);
  Impl* raw = impl.get();
  net::AdminServerOptions server_options;
  server_options.fallback = [raw](const net::AdminRequest& r) { return raw->Handle(r); };
  server_options.max_body_bytes = kMaxSqlBodyBytes;
  server_options.threads = kListenerThreads;
  EL_ASSIGN_OR_RETURN(raw->server,
                      net::AdminServer::Start(raw->options.listen, {}, std::move(server_options)));
  if (raw->sources.counters)
    raw->sampler = std::jthread([raw](std::stop_token stop) { raw->Sample(stop); });
  return std::unique_ptr<ConsoleServer>(new ConsoleServer(std::move(impl)));
}

uint16_t ConsoleServer::port() const { return impl_->server->port(); }

std::string ConsoleServer::Url() const {
  std::string host = impl_->options.listen.host;
  if (host == "0.0.0.0" || host == "::" || host.empty()) host = "127.0.0.1";
  return "http://" + net::HostPort{host, port()}.ToString() + "/";
}

void ConsoleServer::Stop() {
  if (impl_->sampler.joinable()) {
    impl_->sampler.request_stop();
    impl_->sampler.join();
  }
  if (impl_->server) impl_->server->Stop();
}

}  // namespace el::console
