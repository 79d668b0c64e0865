#include "storage/topic_config.h"

#include <charconv>
#include <map>
#include <vector>

#include "io/dir.h"
#include "io/file.h"

namespace el::storage {
namespace {

constexpr char kFormatLine[] = "# eventlake topic config v1";

Result<int64_t> ParseInt(const std::string& name, const std::string& value, int64_t min) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v < min) {
    return InvalidArgument("config " + name + "=" + value + ": expected an integer >= " +
                           std::to_string(min));
  }
  return v;
}

}  // namespace

Result<LogOptions> ApplyTopicConfigs(LogOptions o, const TopicConfigs& configs) {
  for (const auto& [name, value] : configs) {
    if (name == "segment.bytes") {
      EL_ASSIGN_OR_RETURN(int64_t v, ParseInt(name, value, 1024));
      o.segment_bytes = static_cast<uint64_t>(v);
    } else if (name == "segment.ms") {
      EL_ASSIGN_OR_RETURN(o.segment_ms, ParseInt(name, value, 0));
    } else if (name == "retention.ms") {
      EL_ASSIGN_OR_RETURN(o.retention_ms, ParseInt(name, value, -1));
    } else if (name == "retention.bytes") {
      EL_ASSIGN_OR_RETURN(o.retention_bytes, ParseInt(name, value, -1));
    }
  }
  return o;
}

Status CheckNewTopicConfigs(const TopicConfigs& configs) {
  // Settings that only state the broker's behaviour: accepted with this value, refused otherwise.
  static const std::map<std::string, std::string> kFixed = {
      {"cleanup.policy", "delete"},
      {"compression.type", "producer"},  // batches are stored as the producer sent them
      {"message.timestamp.type", "CreateTime"},
      {"min.insync.replicas", "1"},  // one node
  };
  EL_RETURN_IF_ERROR(ApplyTopicConfigs({}, configs).status());
  for (const auto& [name, value] : configs) {
    if (name == "segment.bytes" || name == "segment.ms" || name == "retention.ms" ||
        name == "retention.bytes") {
      continue;
    }
    auto fixed = kFixed.find(name);
    if (fixed == kFixed.end()) {
      return InvalidArgument("config " + name +
                             " is not supported (supported: segment.bytes, segment.ms, "
                             "retention.ms, retention.bytes, cleanup.policy=delete, "
                             "compression.type=producer, message.timestamp.type=CreateTime, "
                             "min.insync.replicas=1)");
    }
    if (value != fixed->second) {
      std::string why = name == "cleanup.policy" ? " (log compaction is not supported)" : "";
      return InvalidArgument("config " + name + "=" + value + " is not supported; only " + name +
                             "=" + fixed->second + why);
    }
  }
  return Status::Ok();
}

Status WriteTopicConfigs(const std::string& dir, const TopicConfigs& configs) {
  std::string text = std::string(kFormatLine) + "\n";
  for (const auto& [name, value] : configs) {
    if (name.find_first_of("=\n") != std::string::npos || value.find('\n') != std::string::npos) {
      return InvalidArgument("config name or value with '=' or a newline: " + name);
    }
    text += name + "=" + value + "\n";
  }
  return io::WriteFileDurably(dir + "/" + kTopicConfigFile, text);
}

Result<TopicConfigs> ReadTopicConfigs(const std::string& dir) {
  std::string path = dir + "/" + kTopicConfigFile;
  auto file = io::File::Open(path, io::File::Mode::kReadOnly);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) return TopicConfigs{};
  if (!file.ok()) return file.status();
  EL_ASSIGN_OR_RETURN(uint64_t size, (*file)->Size());
  if (size > (1u << 20)) return DataLoss(path + " is larger than 1 MiB");
  std::vector<uint8_t> buf(size);
  EL_ASSIGN_OR_RETURN(size_t got, (*file)->ReadAt(FilePos(0), buf));
  std::string text(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got));
  if (!text.starts_with(std::string(kFormatLine) + "\n")) return DataLoss(path + ": unknown format");
  TopicConfigs out;
  size_t at = text.find('\n') + 1;
  while (at < text.size()) {
    size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(at, nl - at);
    at = nl + 1;
    size_t eq = line.find('=');
    if (line.empty() || eq == std::string::npos) continue;
    out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

}  // namespace el::storage
