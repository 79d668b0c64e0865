#include "jobs/replay.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "lake/layout.h"
#include "lake/listing.h"
#include "clients/duck/duck.h"
#include "clients/rdk/producer.h"
#include "objstore/object_store.h"

namespace el::jobs {
namespace {

namespace fs = std::filesystem;
using RowId = std::tuple<std::string, int32_t, int64_t>;
constexpr auto kFlushTimeout = std::chrono::seconds(30);

struct Row : rdk::DeliveryListener {
  RowId id;
  std::string key;
  bool has_key = false;
  std::string raw;
  std::atomic<int> err{-1};  // -1: no report yet
  void OnDelivery(rd_kafka_resp_err_t e) noexcept override { err = static_cast<int>(e); }
};

std::set<RowId> ParseLedger(const std::string& text) {
  std::set<RowId> done;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string topic, partition, offset;
    if (!std::getline(fields, topic, '\t') || !std::getline(fields, partition, '\t') ||
        !std::getline(fields, offset)) {
      continue;  // a torn last line from a crash: that row is replayed again
    }
    try {
      done.emplace(topic, std::stoi(partition), std::stoll(offset));
    } catch (const std::exception&) {
      continue;
    }
  }
  return done;
}

// The ledger's lines for the rows the brokers acknowledged.
std::string LedgerLines(const std::vector<std::unique_ptr<Row>>& rows) {
  std::string text;
  for (const auto& r : rows) {
    if (r->err.load() != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    text += fmt::format("{}\t{}\t{}\n", std::get<0>(r->id), std::get<1>(r->id), std::get<2>(r->id));
  }
  return text;
}

// `_replayed.tsv` beside the dead-letter table's files: a local file appended and fsynced, or an
// object of the lake's store rewritten whole with conditional PUTs.
class Ledger {
 public:
  Ledger(const ReplayOptions& o, const std::string& table)
      : store_(o.store),
        path_(fs::path(o.lake_dir) / table / kLedgerName),
        key_(table + "/" + kLedgerName) {}

  Result<std::set<RowId>> Read() {
    if (store_ == nullptr) {
      std::ifstream in(path_, std::ios::binary);
      return ParseLedger(
          std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
    }
    EL_RETURN_IF_ERROR(Fetch());
    return ParseLedger(text_);
  }

  Status Append(const std::string& lines) {
    if (lines.empty()) return Status::Ok();
    if (store_ == nullptr) return AppendLocal(lines);
    for (int attempt = 0; attempt < kPutAttempts; ++attempt) {
      objstore::Precondition pre;
      pre.if_absent = etag_.empty();
      pre.if_match = etag_;
      std::string text = text_;
      if (!text.empty() && text.back() != '\n') text += '\n';  // after a torn line
      auto put = store_->PutConditional(key_, text + lines, pre);
      if (put.ok() || put.status().code() != StatusCode::kFailedPrecondition) return put.status();
      EL_RETURN_IF_ERROR(Fetch());  // another run wrote it meanwhile: append to what it holds now
    }
    return FailedPrecondition(
        fmt::format("the ledger {}/{} kept changing during {} attempts to add "
                    "this run's rows; they may be replayed again by the next run",
                    store_->Describe(), key_, kPutAttempts));
  }

 private:
  static constexpr char kLedgerName[] = "_replayed.tsv";
  static constexpr int kPutAttempts = 10;

  Status Fetch() {
    auto head = store_->Head(key_);
    if (!head.ok() && head.status().code() == StatusCode::kNotFound) {
      etag_.clear();
      text_.clear();
      return Status::Ok();
    }
    EL_RETURN_IF_ERROR(head.status());
    // A write between the HEAD and the GET makes the next conditional PUT fail: read again then.
    etag_ = head->etag;
    EL_ASSIGN_OR_RETURN(text_, store_->Get(key_));
    return Status::Ok();
  }

  Status AppendLocal(const std::string& text) {
    int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoError("open " + path_.string(), errno);
    ssize_t n = ::write(fd, text.data(), text.size());
    int err = errno;
    bool ok = n == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return ErrnoError("write " + path_.string(), err);
    return Status::Ok();
  }

  objstore::ObjectStore* store_;
  fs::path path_;
  std::string key_;
  std::string etag_;  // of the object as last read; "" when it does not exist
  std::string text_;
};

Result<std::vector<std::unique_ptr<Row>>> ReadRows(const std::vector<std::string>& files,
                                                   const std::set<RowId>& done, int64_t& skipped) {
  EL_ASSIGN_OR_RETURN(duck::Database db, duck::Database::OpenInMemory());
  EL_ASSIGN_OR_RETURN(duck::Connection con, duck::Connection::Open(db));
  std::string list;
  for (const std::string& f : files) list += (list.empty() ? "" : ", ") + duck::QuoteLiteral(f);
  EL_ASSIGN_OR_RETURN(
      auto res,
      con.Query("SELECT _topic, _partition, _offset, _key, raw FROM read_parquet([" + list +
                "], union_by_name=true, hive_partitioning=false) "
                "ORDER BY _topic, _partition, _offset"));
  std::vector<std::unique_ptr<Row>> rows;
  for (size_t i = 0; i < res.RowCount(); ++i) {
    RowId id{res.Text(0, i), static_cast<int32_t>(res.Int(1, i)), res.Int(2, i)};
    if (done.count(id) != 0) {
      ++skipped;
      continue;
    }
    auto row = std::make_unique<Row>();
    row->id = id;
    row->has_key = !res.IsNull(3, i);
    row->key = res.Text(3, i);
    row->raw = res.Text(4, i);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<ReplaySummary> ReplayDeadLetters(const ReplayOptions& o) {
  EL_RETURN_IF_ERROR(lake::CheckLakeFormat(o.lake_dir, false));
  ReplaySummary s;
  s.dead_letter_table = o.table + "_dead_letter";
  fs::path dir = fs::path(o.lake_dir) / s.dead_letter_table;
  EL_ASSIGN_OR_RETURN(auto paths, lake::ListDataFilesRecursive(dir));
  std::vector<std::string> files;
  for (const fs::path& f : paths) files.push_back(f.string());
  if (files.empty()) {
    return NotFound("no dead-letter table " + s.dead_letter_table + " in " +
                    (o.store != nullptr ? o.store->Describe() : o.lake_dir));
  }
  Ledger ledger(o, s.dead_letter_table);
  EL_ASSIGN_OR_RETURN(std::set<RowId> done, ledger.Read());
  EL_ASSIGN_OR_RETURN(auto rows, ReadRows(files, done, s.already_replayed));
  if (rows.empty()) return s;
  EL_ASSIGN_OR_RETURN(auto producer, rdk::Producer::Create({{"bootstrap.servers", o.brokers},
                                                            {"acks", "all"},
                                                            {"enable.idempotence", "false"}}));
  std::map<std::string, rdk::TopicHandle> topics;
  for (auto& row : rows) {
    const std::string& target = o.topic.empty() ? std::get<0>(row->id) : o.topic;
    if (topics.count(target) == 0) {
      EL_ASSIGN_OR_RETURN(topics[target], producer->OpenTopic(target));
    }
    Status st = producer->Produce(topics[target].get(), row->raw, row.get(),
                                  row->has_key ? std::string_view(row->key) : std::string_view());
    while (st.code() == StatusCode::kResourceExhausted) {
      (void)producer->Flush(std::chrono::milliseconds(100));
      st = producer->Produce(topics[target].get(), row->raw, row.get(),
                             row->has_key ? std::string_view(row->key) : std::string_view());
    }
    if (!st.ok()) row->err = RD_KAFKA_RESP_ERR__FAIL;
  }
  Status flushed = producer->Flush(kFlushTimeout);
  topics.clear();
  producer->Close(std::chrono::milliseconds(1000));
  EL_RETURN_IF_ERROR(ledger.Append(LedgerLines(rows)));
  for (const auto& r : rows)
    (r->err.load() == RD_KAFKA_RESP_ERR_NO_ERROR ? s.replayed : s.failed) += 1;
  if (s.failed > 0) {
    return Unavailable(
        fmt::format("{} of {} dead letters were not acknowledged by the brokers ({}); "
                    "run again to retry them",
                    s.failed, rows.size(), flushed.ok() ? "produce failed" : flushed.message()));
  }
  return s;
}

std::string FormatReplaySummary(const ReplayOptions& o, const ReplaySummary& s) {
  std::string target = o.topic.empty() ? "their source topics" : "topic " + o.topic;
  if (s.replayed == 0) {
    return fmt::format("nothing to replay in {} ({} rows already replayed)", s.dead_letter_table,
                       s.already_replayed);
  }
  return fmt::format("replayed {} dead letters from {} to {} ({} already replayed before)",
                     s.replayed, s.dead_letter_table, target, s.already_replayed);
}

}  // namespace el::jobs
