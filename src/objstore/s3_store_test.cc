#include "objstore/s3_store.h"

#include <gtest/gtest.h>

#include <deque>
#include <fstream>

#include "base/test_dirs.h"

namespace el::objstore {
namespace {

// A transport that records requests and answers from a script.
class FakeTransport : public HttpTransport {
 public:
  struct Seen {
    std::string method, url, body;
    HeaderList headers;
  };
  std::deque<Result<HttpResponse>> answers;
  std::vector<Seen>* seen;
  explicit FakeTransport(std::vector<Seen>* s) : seen(s) {}
  Result<HttpResponse> Send(const HttpRequest& r) override {
    seen->push_back({r.method, r.url, std::string(r.body), r.headers});
    if (answers.empty()) return Internal("unexpected request " + r.method + " " + r.url);
    auto a = std::move(answers.front());
    answers.pop_front();
    if (a.ok() && r.sink && a->status / 100 == 2) {
      EL_RETURN_IF_ERROR(r.sink(a->body));
      a->body.clear();
    }
    return a;
  }
};

HttpResponse Answer(int status, std::string body = "", std::map<std::string, std::string> h = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(h);
  return r;
}

struct Harness {
  std::vector<FakeTransport::Seen> seen;
  std::vector<std::chrono::milliseconds> sleeps;
  FakeTransport* transport = nullptr;
  std::unique_ptr<S3Store> store;

  explicit Harness(bool path_style = true, int max_attempts = 4) {
    S3Config c;
    c.endpoint = "http://127.0.0.1:7480";
    c.credentials = {"AK", "SK", ""};
    c.path_style = path_style;
    c.retry.max_attempts = max_attempts;
    c.part_size = 5;
    auto t = std::make_unique<FakeTransport>(&seen);
    transport = t.get();
    RetryEnv env;
    env.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    env.unit_random = [] { return 0.5; };
    store = std::make_unique<S3Store>(
        c, "bucket", "lake/v1", std::move(t),
        [] { return std::chrono::system_clock::from_time_t(1369353600); }, env);
  }
  void Add(Result<HttpResponse> r) { transport->answers.push_back(std::move(r)); }
};

std::string HeaderOf(const FakeTransport::Seen& s, const std::string& name) {
  for (const auto& [k, v] : s.headers)
    if (k == name) return v;
  return "";
}

TEST(S3Store, PathAndVirtualHostAddressing) {
  Harness path;
  path.Add(Answer(200));
  ASSERT_TRUE(path.store->Put("t/dt=2024-01-01/a b.parquet", "xyz").ok());
  EXPECT_EQ(path.seen[0].url,
            "http://127.0.0.1:7480/bucket/lake/v1/t/dt%3D2024-01-01/a%20b.parquet");
  EXPECT_EQ(HeaderOf(path.seen[0], "x-amz-date"), "20130524T000000Z");
  EXPECT_EQ(HeaderOf(path.seen[0], "x-amz-content-sha256"), Sha256Hex("xyz"));
  EXPECT_EQ(HeaderOf(path.seen[0], "Authorization")
                .rfind("AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request", 0),
            0u);
  Harness virt(false);
  virt.Add(Answer(200));
  ASSERT_TRUE(virt.store->Put("k", "v").ok());
  EXPECT_EQ(virt.seen[0].url, "http://bucket.127.0.0.1:7480/lake/v1/k");
  EXPECT_EQ(virt.store->Describe(), "s3://bucket/lake/v1");
}

TEST(S3Store, RetriesServerErrorsAndConnectionErrorsWithBackoff) {
  Harness h;
  h.Add(Answer(503, "<Error><Code>SlowDown</Code></Error>"));
  h.Add(Unavailable("connection refused"));
  h.Add(DeadlineExceeded("timed out"));
  h.Add(Answer(200, "data"));
  auto r = h.store->Get("k");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "data");
  EXPECT_EQ(h.seen.size(), 4u);
  // base 100 ms doubling, times the injected 0.5
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(50),
                                                              std::chrono::milliseconds(100),
                                                              std::chrono::milliseconds(200)}));
}

TEST(S3Store, GivesUpAfterMaxAttempts) {
  Harness h(true, 3);
  for (int i = 0; i < 3; ++i) h.Add(Answer(500, "<Error><Code>InternalError</Code></Error>"));
  Status s = h.store->Put("k", "v");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("gave up after 3 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(h.seen.size(), 3u);
}

TEST(S3Store, ClientErrorsAreNotRetried) {
  Harness h;
  h.Add(Answer(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>"));
  Status s = h.store->Put("k", "v");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message().rfind("bad credentials", 0), 0u);
  EXPECT_EQ(h.seen.size(), 1u);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(S3Store, BackoffIsCapped) {
  RetryPolicy p;
  p.base_delay = std::chrono::milliseconds(100);
  p.max_delay = std::chrono::milliseconds(1000);
  EXPECT_EQ(BackoffDelay(p, 1, 0.999).count(), 99);
  EXPECT_EQ(BackoffDelay(p, 10, 1.0).count(), 1000);
  EXPECT_EQ(BackoffDelay(p, 100, 0.0).count(), 0);
}

TEST(S3Store, ListParsesPagesAndPrefixes) {
  Harness h;
  h.Add(
      Answer(200,
             "<ListBucketResult><IsTruncated>true</IsTruncated><KeyCount>2</KeyCount>"
             "<Contents><Key>lake/v1/t/a</Key><Size>3</Size><ETag>&quot;e1&quot;</ETag></Contents>"
             "<CommonPrefixes><Prefix>lake/v1/t/d/</Prefix></CommonPrefixes>"
             "<NextContinuationToken>tok+1</NextContinuationToken></ListBucketResult>"));
  ListOptions o;
  o.prefix = "t/";
  o.delimiter = "/";
  o.max_keys = 2;
  auto page = h.store->List(o);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "t/a");
  EXPECT_EQ(page->objects[0].etag, "e1");
  EXPECT_EQ(page->common_prefixes, std::vector<std::string>{"t/d/"});
  EXPECT_EQ(page->next_token, "tok+1");
  EXPECT_EQ(
      h.seen[0].url,
      "http://127.0.0.1:7480/bucket?delimiter=%2F&list-type=2&max-keys=2&prefix=lake%2Fv1%2Ft%2F");
}

TEST(S3Store, MultipartUploadAbortsWhenAPartFails) {
  Harness h(true, 1);
  auto dir = test::FreshTestDir("s3store");
  std::ofstream(dir / "f") << "0123456789ab";  // 12 bytes, parts of 5
  h.Add(Answer(
      200,
      "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>"));
  h.Add(Answer(200, "", {{"etag", "\"p1\""}}));
  h.Add(Answer(400, "<Error><Code>EntityTooSmall</Code></Error>"));
  h.Add(Answer(204));  // the abort
  Status s = h.store->PutFile("big", dir / "f");
  EXPECT_EQ(s.code(), StatusCode::kIOError);
  ASSERT_EQ(h.seen.size(), 4u);
  EXPECT_EQ(h.seen[0].url, "http://127.0.0.1:7480/bucket/lake/v1/big?uploads=");
  EXPECT_EQ(h.seen[1].url, "http://127.0.0.1:7480/bucket/lake/v1/big?partNumber=1&uploadId=U1");
  EXPECT_EQ(h.seen[1].body, "01234");
  EXPECT_EQ(h.seen[3].method, "DELETE");
  EXPECT_EQ(h.seen[3].url, "http://127.0.0.1:7480/bucket/lake/v1/big?uploadId=U1");
}

TEST(S3Store, MultipartCompleteWithErrorBodyFails) {
  Harness h(true, 1);
  auto dir = test::FreshTestDir("s3store");
  std::ofstream(dir / "f") << "0123456";
  h.Add(Answer(
      200,
      "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>"));
  h.Add(Answer(200, "", {{"etag", "\"p1\""}}));
  h.Add(Answer(200, "", {{"etag", "\"p2\""}}));
  h.Add(Answer(200, "<Error><Code>InvalidPart</Code><Message>no</Message></Error>"));
  h.Add(Answer(204));
  Status s = h.store->PutFile("big", dir / "f");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(
      h.seen[3].body.find("<Part><PartNumber>2</PartNumber><ETag>&quot;p2&quot;</ETag></Part>"),
      std::string::npos);
  EXPECT_EQ(h.seen.back().method, "DELETE");
}

TEST(S3Store, MultipartCompleteWhoseAnswerWasLostIsCheckedByTheObjectsEtag) {
  // md5("part one"), md5("part two"), and S3's ETag of the object completed from them.
  const std::string p1 = "\"3303e12af474ca11d85ed2966a932992\"",
                    p2 = "\"3ea4e15b91a17dc76052c56cfcdf67a2\"";
  const std::string whole = "\"0732917abc3288784e318ac0aab1757a-2\"";
  auto dir = test::FreshTestDir("s3store");
  std::ofstream(dir / "f") << "0123456";
  for (bool same : {true, false}) {
    Harness h(true, 2);
    h.Add(Answer(
        200,
        "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>"));
    h.Add(Answer(200, "", {{"etag", p1}}));
    h.Add(Answer(200, "", {{"etag", p2}}));
    h.Add(Unavailable("connection reset"));  // the completion's answer is lost
    h.Add(Answer(404, "<Error><Code>NoSuchUpload</Code></Error>"));  // its retry
    h.Add(Answer(200, "",
                 {{"etag", same ? whole : "\"0000000000000000000000000000000a-2\""},
                  {"content-length", "7"}}));
    if (!same) h.Add(Answer(204));  // the abort
    Status s = h.store->PutFile("big", dir / "f");
    ASSERT_GE(h.seen.size(), 6u) << s.ToString();
    EXPECT_EQ(h.seen[5].method, "HEAD") << same;
    if (same) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      EXPECT_EQ(h.seen.size(), 6u);
    } else {
      EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
      EXPECT_EQ(h.seen.back().method, "DELETE");
    }
  }
}

TEST(S3Store, DeleteManySendsContentMd5AndReportsErrors) {
  Harness h;
  h.Add(Answer(
      200,
      "<DeleteResult><Error><Key>lake/v1/a</Key><Code>AccessDenied</Code></Error></DeleteResult>"));
  Status s = h.store->DeleteMany({"a", "b&c"});
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("AccessDenied"), std::string::npos);
  EXPECT_EQ(HeaderOf(h.seen[0], "Content-MD5"), Base64Md5(h.seen[0].body));
  EXPECT_NE(h.seen[0].body.find("<Key>lake/v1/b&amp;c</Key>"), std::string::npos);
}

TEST(S3Store, MissingObjectAndBadKeys) {
  Harness h;
  h.Add(Answer(404, "<Error><Code>NoSuchKey</Code></Error>"));
  EXPECT_EQ(h.store->Get("k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(h.store->Put("../k", "v").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.store->Put("", "v").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.seen.size(), 1u);
}

TEST(S3Store, GetToFileRestartsTheFileOnRetry) {
  Harness h;
  auto dir = test::FreshTestDir("s3store");
  h.Add(Answer(500));
  h.Add(Answer(200, "whole"));
  ASSERT_TRUE(h.store->GetToFile("k", dir / "out").ok());
  std::ifstream in(dir / "out");
  std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(got, "whole");
}

TEST(S3Store, ConditionalPutSendsTheConditionAndMapsTheRefusal) {
  Harness h;
  h.Add(Answer(200, "", {{"etag", "\"e1\""}}));
  h.Add(Answer(412, "<Error><Code>PreconditionFailed</Code></Error>"));
  Precondition absent;
  absent.if_absent = true;
  auto r = h.store->PutConditional("_progress/t/0.next", "10", absent);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "e1");
  EXPECT_EQ(HeaderOf(h.seen[0], "If-None-Match"), "*");
  Precondition match;
  match.if_match = "\"e1\"";
  auto refused = h.store->PutConditional("_progress/t/0.next", "11", match);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("precondition failed"), std::string::npos);
  EXPECT_EQ(HeaderOf(h.seen[1], "If-Match"), "e1");  // bare, as Ceph's gateway compares it
  EXPECT_EQ(h.seen.size(), 2u);
}

TEST(S3Store, ConditionalPutWhoseAnswerWasLostIsCheckedByReadingBack) {
  Harness h;
  h.Add(Unavailable("connection reset"));  // applied, but the answer was lost
  h.Add(Answer(412, "<Error><Code>PreconditionFailed</Code></Error>"));
  h.Add(Answer(200, "10"));                                               // GET: our data
  h.Add(Answer(200, "", {{"etag", "\"e2\""}, {"content-length", "2"}}));  // HEAD
  Precondition absent;
  absent.if_absent = true;
  auto r = h.store->PutConditional("k", "10", absent);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "e2");
  // Someone else's data: the refusal stands.
  Harness other;
  other.Add(Unavailable("connection reset"));
  other.Add(Answer(412, "<Error><Code>PreconditionFailed</Code></Error>"));
  other.Add(Answer(200, "99"));
  EXPECT_EQ(other.store->PutConditional("k", "10", absent).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(S3Store, SessionTokenIsSentAndSigned) {
  std::vector<FakeTransport::Seen> seen;
  S3Config c;
  c.endpoint = "https://s3.eu-west-1.amazonaws.com";
  c.region = "eu-west-1";
  c.credentials = {"AK", "SK", "TOKEN"};
  c.path_style = false;
  auto t = std::make_unique<FakeTransport>(&seen);
  t->answers.push_back(Answer(200));
  S3Store store(c, "bucket", "", std::move(t));
  ASSERT_TRUE(store.Put("k", "v").ok());
  EXPECT_EQ(seen[0].url, "https://bucket.s3.eu-west-1.amazonaws.com/k");
  EXPECT_EQ(HeaderOf(seen[0], "x-amz-security-token"), "TOKEN");
  std::string auth = HeaderOf(seen[0], "Authorization");
  EXPECT_NE(auth.find("/eu-west-1/s3/aws4_request"), std::string::npos);
  EXPECT_NE(auth.find("x-amz-security-token"), std::string::npos);
}

}  // namespace
}  // namespace el::objstore

namespace el::objstore {
namespace {

TEST(S3Store, DeletingFromAMissingBucketIsAnError) {
  Harness h;
  h.Add(Answer(404, "<Error><Code>NoSuchKey</Code></Error>"));
  EXPECT_TRUE(h.store->Delete("k").ok());
  h.Add(Answer(404, "<Error><Code>NoSuchBucket</Code></Error>"));
  EXPECT_EQ(h.store->Delete("k").code(), StatusCode::kNotFound);
}

TEST(S3Store, RangeAtTheEndOfTheNumbers) {
  Harness h;
  h.Add(Answer(206, "x"));
  ASSERT_TRUE(h.store->GetRange("k", 10, UINT64_MAX).ok());
  EXPECT_EQ(HeaderOf(h.seen[0], "Range"), "bytes=10-18446744073709551614");
}

}  // namespace
}  // namespace el::objstore

namespace el::objstore {
namespace {

TEST(S3Store, StartUploadSendsEveryPartAndCompleteUploadPublishes) {
  Harness h(true, 1);
  auto dir = test::FreshTestDir("s3store");
  std::ofstream(dir / "f") << "0123456";  // parts of 5: two
  std::ofstream(dir / "empty");
  h.Add(Answer(
      200,
      "<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>"));
  h.Add(Answer(200, "", {{"etag", "\"p1\""}}));
  h.Add(Answer(200, "", {{"etag", "\"p2\""}}));
  auto up = h.store->StartUpload("t/a.parquet", dir / "f");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->key, "t/a.parquet");
  EXPECT_EQ(up->upload_id, "U");
  EXPECT_EQ(up->part_etags, (std::vector<std::string>{"\"p1\"", "\"p2\""}));
  ASSERT_EQ(h.seen.size(), 3u);  // nothing completed yet
  h.Add(Answer(200, "<CompleteMultipartUploadResult/>"));
  ASSERT_TRUE(h.store->CompleteUpload(*up).ok());
  EXPECT_EQ(h.seen[3].url, "http://127.0.0.1:7480/bucket/lake/v1/t/a.parquet?uploadId=U");
  EXPECT_NE(h.seen[3].body.find("<PartNumber>2</PartNumber>"), std::string::npos);
  // An upload already completed or aborted is NotFound.
  h.Add(Answer(404, "<Error><Code>NoSuchUpload</Code></Error>"));
  EXPECT_EQ(h.store->CompleteUpload(*up).code(), StatusCode::kNotFound);
  // An empty file is one empty part.
  h.Add(Answer(
      200,
      "<InitiateMultipartUploadResult><UploadId>E</UploadId></InitiateMultipartUploadResult>"));
  h.Add(Answer(200, "", {{"etag", "\"e\""}}));
  auto empty = h.store->StartUpload("t/e", dir / "empty");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->part_etags.size(), 1u);
  EXPECT_EQ(h.seen.back().body, "");
}

TEST(MultipartEtag, IsTheMd5OfThePartsMd5s) {
  // md5("part one"), md5("part two"); S3's ETag of the object completed from those two parts.
  EXPECT_EQ(
      MultipartEtag({"\"3303e12af474ca11d85ed2966a932992\"", "3ea4e15b91a17dc76052c56cfcdf67a2"}),
      "0732917abc3288784e318ac0aab1757a-2");
  EXPECT_EQ(MultipartEtag({}), "");
  EXPECT_EQ(MultipartEtag({"\"p1\""}), "");
}

}  // namespace
}  // namespace el::objstore
