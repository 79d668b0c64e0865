#pragma once
// JsonWriter: builds one compact JSON object in key order, as the generators emit it.
// Not thread-safe; cheap to create per record.
#include <cstdint>
#include <string>
#include <string_view>

namespace el::generate {

class JsonWriter {
 public:
  JsonWriter& BeginObject(std::string_view key = {});
  JsonWriter& EndObject();
  JsonWriter& BeginArray(std::string_view key = {});
  JsonWriter& EndArray();
  JsonWriter& String(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, int64_t value);
  JsonWriter& Double(std::string_view key, double value);  // two decimals
  JsonWriter& Bool(std::string_view key, bool value);
  const std::string& str() const { return out_; }

 private:
  void Key(std::string_view key);
  std::string out_;
  bool need_comma_ = false;
};

// ISO-8601 UTC with milliseconds, e.g. "2018-01-23T14:23:19.082Z".
std::string IsoMillis(int64_t epoch_ms);

}  // namespace el::generate
