#include "kafka/server/errors.h"

#include "base/log.h"

namespace el::kafka {

ErrorCode ToErrorCode(const Status& status, ApiKey api) {
  switch (status.code()) {
    case StatusCode::kOk:
      return ErrorCode::kNone;
    case StatusCode::kNotFound:
      return ErrorCode::kUnknownTopicOrPartition;
    case StatusCode::kAlreadyExists:
      return ErrorCode::kTopicAlreadyExists;
    case StatusCode::kOutOfRange:
      // A torn batch in a produce request; an offset outside the log on the read paths.
      return api == ApiKey::kProduce ? ErrorCode::kCorruptMessage : ErrorCode::kOffsetOutOfRange;
    case StatusCode::kDataLoss:
      return ErrorCode::kCorruptMessage;
    case StatusCode::kInvalidArgument:
      if (api == ApiKey::kProduce) return ErrorCode::kInvalidRecord;
      if (api == ApiKey::kCreateTopics || api == ApiKey::kDeleteTopics || api == ApiKey::kMetadata) {
        return ErrorCode::kInvalidTopicException;
      }
      return ErrorCode::kInvalidRequest;
    case StatusCode::kIOError:
      spdlog::error("{}: storage error: {}", ApiName(api), status.ToString());
      return ErrorCode::kKafkaStorageError;
    case StatusCode::kDeadlineExceeded:
      return ErrorCode::kRequestTimedOut;
    case StatusCode::kResourceExhausted:
      return ErrorCode::kMessageTooLarge;
    default:
      spdlog::error("{}: unexpected error: {}", ApiName(api), status.ToString());
      return ErrorCode::kUnknownServerError;
  }
}

}  // namespace el::kafka
