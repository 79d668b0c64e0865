// objstore_s3_check: drives an ObjectStore from the command line, for integration tests against a
// real S3 server (tests/integration/test_objstore_s3.py). The server and credentials come from the
// AWS_* environment variables (s3_config.h); EVENTLAKE_S3_PART_SIZE and EVENTLAKE_S3_MAX_ATTEMPTS
// override the part size and the retry bound; EVENTLAKE_S3_CLOCK_OFFSET_S shifts the signing clock.
//
//   objstore_s3_check LOCATION check | put KEY TEXT | put-if KEY TEXT absent|ETAG | put-file KEY
//   FILE | get KEY | get-file KEY FILE
//                              | get-range KEY OFFSET LENGTH | head KEY | delete KEY
//                              | delete-many KEY... | list PREFIX [DELIMITER [MAX_KEYS]] | uploads
// LOCATION is s3://BUCKET/PREFIX or a local directory. Exit 0 on success; 1 with "CODE: message"
// on stderr; 2 for bad usage.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "objstore/curl_transport.h"
#include "objstore/local_store.h"
#include "objstore/location.h"
#include "objstore/s3_config.h"
#include "objstore/s3_store.h"

namespace {

using namespace el;
using namespace el::objstore;

int Fail(const Status& s) {
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}

int Usage() {
  std::fprintf(stderr, "usage: objstore_s3_check LOCATION COMMAND [ARGS...] (see the source)\n");
  return 2;
}

int Run(ObjectStore& store, S3Store* s3, const std::vector<std::string>& a) {
  const std::string& cmd = a[0];
  auto need = [&](size_t n) { return a.size() >= n + 1; };
  if (cmd == "check") {
    if (s3 == nullptr) return 0;
    Status s = s3->CheckBucket();
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "put" && need(2)) {
    Status s = store.Put(a[1], a[2]);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "put-if" && need(3)) {  // put-if KEY TEXT absent|ETAG: prints the new ETag
    Precondition pre;
    if (a[3] == "absent") {
      pre.if_absent = true;
    } else {
      pre.if_match = a[3];
    }
    auto r = store.PutConditional(a[1], a[2], pre);
    if (!r.ok()) return Fail(r.status());
    std::printf("%s\n", r->c_str());
    return 0;
  }
  if (cmd == "put-file" && need(2)) {
    Status s = store.PutFile(a[1], a[2]);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "get" && need(1)) {
    auto r = store.Get(a[1]);
    if (!r.ok()) return Fail(r.status());
    std::fwrite(r->data(), 1, r->size(), stdout);
    return 0;
  }
  if (cmd == "get-file" && need(2)) {
    Status s = store.GetToFile(a[1], a[2]);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "get-range" && need(3)) {
    auto r = store.GetRange(a[1], std::stoull(a[2]), std::stoull(a[3]));
    if (!r.ok()) return Fail(r.status());
    std::fwrite(r->data(), 1, r->size(), stdout);
    return 0;
  }
  if (cmd == "head" && need(1)) {
    auto r = store.Head(a[1]);
    if (!r.ok()) return Fail(r.status());
    std::printf("%lld %s\n", static_cast<long long>(r->size), r->etag.c_str());
    return 0;
  }
  if (cmd == "delete" && need(1)) {
    Status s = store.Delete(a[1]);
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "delete-many") {
    Status s = store.DeleteMany(std::vector<std::string>(a.begin() + 1, a.end()));
    return s.ok() ? 0 : Fail(s);
  }
  if (cmd == "list" && need(1)) {
    ListOptions o;
    o.prefix = a[1];
    if (a.size() > 2) o.delimiter = a[2];
    if (a.size() > 3) o.max_keys = std::atoi(a[3].c_str());
    int pages = 0;
    while (true) {
      auto page = store.List(o);
      if (!page.ok()) return Fail(page.status());
      ++pages;
      for (const auto& obj : page->objects)
        std::printf("K %s %lld\n", obj.key.c_str(), static_cast<long long>(obj.size));
      for (const auto& p : page->common_prefixes) std::printf("P %s\n", p.c_str());
      if (page->next_token.empty()) break;
      o.continuation_token = page->next_token;
    }
    std::printf("pages %d\n", pages);
    return 0;
  }
  if (cmd == "uploads" && s3 != nullptr) {
    auto r = s3->ListMultipartUploads();
    if (!r.ok()) return Fail(r.status());
    for (const auto& [key, id] : *r) std::printf("%s %s\n", key.c_str(), id.c_str());
    return 0;
  }
  return Usage();
}

// Run, with a number argument that does not parse (std::stoull throws) as a usage error.
int RunGuarded(ObjectStore& store, S3Store* s3, const std::vector<std::string>& a) {
  try {
    return Run(store, s3, a);
  } catch (const std::logic_error&) {
    return Usage();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  auto loc = ParseLocation(argv[1]);
  if (!loc.ok()) {
    std::fprintf(stderr, "%s\n", loc.status().ToString().c_str());
    return 2;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  if (!loc->is_s3()) {
    LocalStore store(loc->local);
    return RunGuarded(store, nullptr, args);
  }
  auto config = S3ConfigFromEnvironment(ProcessEnvLookup());
  if (!config.ok()) return Fail(config.status());
  if (const char* p = std::getenv("EVENTLAKE_S3_PART_SIZE")) config->part_size = std::atoll(p);
  if (const char* m = std::getenv("EVENTLAKE_S3_MAX_ATTEMPTS"))
    config->retry.max_attempts = std::atoi(m);
  // EVENTLAKE_S3_CLOCK_OFFSET_S shifts the clock requests are signed with (clock-skew tests).
  int64_t offset_s = 0;
  if (const char* o = std::getenv("EVENTLAKE_S3_CLOCK_OFFSET_S")) offset_s = std::atoll(o);
  CurlOptions curl;
  curl.connect_timeout = config->connect_timeout;
  curl.idle_timeout = config->idle_timeout;
  auto store = std::make_unique<S3Store>(
      *config, loc->bucket, loc->prefix, std::make_unique<CurlTransport>(curl),
      [offset_s] { return std::chrono::system_clock::now() + std::chrono::seconds(offset_s); });
  return RunGuarded(*store, store.get(), args);
}
