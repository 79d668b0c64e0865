#include "objstore/object_store.h"

namespace el::objstore {

Result<std::vector<ObjectInfo>> ObjectStore::ListAll(std::string_view prefix) {
  std::vector<ObjectInfo> all;
  ListOptions opts;
  opts.prefix = std::string(prefix);
  while (true) {
    EL_ASSIGN_OR_RETURN(ListPage page, List(opts));
    for (auto& o : page.objects) all.push_back(std::move(o));
    if (page.next_token.empty()) break;
    opts.continuation_token = page.next_token;
  }
  return all;
}

}  // namespace el::objstore
