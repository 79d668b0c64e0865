#include "kafka/server/errors.h"

#include <gtest/gtest.h>

namespace el::kafka {
namespace {

TEST(ErrorsTest, MapsStatusCodesPerApi) {
  EXPECT_EQ(ToErrorCode(Status::Ok(), ApiKey::kProduce), ErrorCode::kNone);
  EXPECT_EQ(ToErrorCode(NotFound("t"), ApiKey::kFetch), ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(ToErrorCode(AlreadyExists("t"), ApiKey::kCreateTopics), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(ToErrorCode(DataLoss("crc"), ApiKey::kProduce), ErrorCode::kCorruptMessage);
  EXPECT_EQ(ToErrorCode(OutOfRange("torn"), ApiKey::kProduce), ErrorCode::kCorruptMessage);
  EXPECT_EQ(ToErrorCode(OutOfRange("offset"), ApiKey::kFetch), ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(ToErrorCode(InvalidArgument("magic"), ApiKey::kProduce), ErrorCode::kInvalidRecord);
  EXPECT_EQ(ToErrorCode(InvalidArgument("name"), ApiKey::kCreateTopics), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(ToErrorCode(IOError("disk"), ApiKey::kProduce), ErrorCode::kKafkaStorageError);
  EXPECT_EQ(ToErrorCode(Internal("?"), ApiKey::kProduce), ErrorCode::kUnknownServerError);
}

}  // namespace
}  // namespace el::kafka
