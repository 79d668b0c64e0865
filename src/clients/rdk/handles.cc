#include "clients/rdk/handles.h"

namespace el::rdk {

Result<Conf> MakeConf(const std::map<std::string, std::string>& properties) {
  Conf conf(rd_kafka_conf_new());
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
