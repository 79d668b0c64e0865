#include "objstore/object_store.h"

#include <openssl/evp.h>

namespace el::objstore {

std::string MultipartEtag(const std::vector<std::string>& part_etags) {
  if (part_etags.empty()) return "";
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string digests;
  for (std::string_view e : part_etags) {
    if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
    if (e.size() != 32) return "";
    for (size_t i = 0; i < 32; i += 2) {
      int hi = hex(e[i]), lo = hex(e[i + 1]);
      if (hi < 0 || lo < 0) return "";
      digests.push_back(static_cast<char>(hi * 16 + lo));
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(digests.data(), digests.size(), md, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out + "-" + std::to_string(part_etags.size());
}

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
