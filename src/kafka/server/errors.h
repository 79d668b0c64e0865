#pragma once
// The one mapping from internal Status to Kafka error codes. The API matters where one Status code
// means different things (InvalidArgument is a bad record on Produce, a bad topic name on the admin
// APIs). Unexpected codes become UNKNOWN_SERVER_ERROR and are logged once per call.
#include "base/status.h"
#include "kafka/protocol/api.h"

namespace el::kafka {

ErrorCode ToErrorCode(const Status& status, ApiKey api);

}  // namespace el::kafka
