#pragma once
// Helper for unit tests on object stores (header only; include from *_test.cc files).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "objstore/object_store.h"

namespace el::test {

// The keys `store` holds under `prefix`, in order (a failed listing fails the test).
inline std::vector<std::string> StoreKeys(objstore::ObjectStore& store,
                                          const std::string& prefix = "") {
  std::vector<std::string> out;
  auto listed = store.ListAll(prefix);
  EXPECT_TRUE(listed.ok()) << listed.status().ToString();
  if (!listed.ok()) return out;
  for (const auto& o : *listed) out.push_back(o.key);
  return out;
}

}  // namespace el::test
