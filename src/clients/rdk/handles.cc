#include "clients/rdk/handles.h"

#include "base/log.h"

namespace el::rdk {
namespace {

// librdkafka's log lines (syslog levels) through eventlake's logger, from librdkafka's threads.
void LogToLogger(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  spdlog::level::level_enum to = level <= 2   ? spdlog::level::critical
                                 : level == 3 ? spdlog::level::err
                                 : level == 4 ? spdlog::level::warn
                                 : level <= 6 ? spdlog::level::info
                                              : spdlog::level::debug;
  SetLogComponent("kafka-client");
  LogFields(to, text, {{"client", rd_kafka_name(rk)}, {"facility", facility}});
}

}  // namespace

Result<Conf> MakeConf(const std::map<std::string, std::string>& properties) {
  Conf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &LogToLogger);
  char err[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof(err)) !=
        RD_KAFKA_CONF_OK) {
      return InvalidArgument("kafka client property " + key + "=" + value + ": " + err);
    }
  }
  return conf;
}

Result<KafkaHandle> MakeHandle(rd_kafka_type_t type, Conf conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) return InvalidArgument(std::string("kafka client: ") + err);
  conf.release();  // rd_kafka_new took ownership
  return KafkaHandle(rk);
}

}  // namespace el::rdk
