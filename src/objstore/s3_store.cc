#include "objstore/s3_store.h"

#include <cstdint>
#include <fstream>

#include "objstore/curl_transport.h"
#include "objstore/local_store.h"
#include "objstore/s3_error.h"
#include "objstore/xml_scan.h"

namespace el::objstore {
namespace fs = std::filesystem;

namespace {

const char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Unquote(std::string s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::string Header(const HttpResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}

Result<std::string> ReadFileRange(const fs::path& file, int64_t offset, int64_t length) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IOError("cannot open " + file.string());
  std::string buf(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(buf.data(), length);
  if (in.gcount() != length) return IOError("short read of " + file.string());
  return buf;
}

}  // namespace

S3Store::S3Store(S3Config config, std::string bucket, std::string prefix,
                 std::unique_ptr<HttpTransport> transport, Clock clock, RetryEnv retry_env)
    : config_(std::move(config)),
      bucket_(std::move(bucket)),
      prefix_(prefix.empty() ? "" : prefix + "/"),
      transport_(std::move(transport)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })),
      retry_env_(std::move(retry_env)) {
  size_t sep = config_.endpoint.find("://");
  scheme_ = config_.endpoint.substr(0, sep);
  host_ = config_.endpoint.substr(sep + 3);
}

std::unique_ptr<S3Store> S3Store::Open(const S3Config& config, const Location& location) {
  CurlOptions opts;
  opts.connect_timeout = config.connect_timeout;
  opts.idle_timeout = config.idle_timeout;
  return std::make_unique<S3Store>(config, location.bucket, location.prefix,
                                   std::make_unique<CurlTransport>(opts));
}

std::string S3Store::Describe() const {
  return "s3://" + bucket_ + (prefix_.empty() ? "" : "/" + prefix_.substr(0, prefix_.size() - 1));
}

std::string S3Store::FullKey(std::string_view key) const { return prefix_ + std::string(key); }

std::string S3Store::RelativeKey(std::string_view full) const {
  return std::string(full.substr(std::min(prefix_.size(), full.size())));
}

std::string S3Store::Where(const Call& call) const {
  return call.method + " s3://" + bucket_ + (call.key.empty() ? "" : "/" + call.key) + " at " +
         config_.endpoint;
}

Result<HttpResponse> S3Store::Execute(const Call& call) {
  std::string host = config_.path_style ? host_ : bucket_ + "." + host_;
  std::string path = config_.path_style ? "/" + bucket_ + (call.key.empty() ? "" : "/" + call.key)
                                        : "/" + call.key;
  std::string encoded_path = UriEncode(path, true);
  std::string query = CanonicalQuery(call.query);
  std::string url = scheme_ + "://" + host + encoded_path + (query.empty() ? "" : "?" + query);
  std::string payload_hash = call.body.empty() ? kEmptySha256 : Sha256Hex(call.body);
  Status last;
  for (int attempt = 1;; ++attempt) {
    std::string amz_date = AmzDate(clock_());
    SignRequest sr;
    sr.method = call.method;
    sr.path = encoded_path;
    sr.query = call.query;
    sr.headers = call.headers;
    sr.headers.emplace_back("host", host);
    sr.headers.emplace_back("x-amz-date", amz_date);
    sr.headers.emplace_back("x-amz-content-sha256", payload_hash);
    if (!config_.credentials.session_token.empty())
      sr.headers.emplace_back("x-amz-security-token", config_.credentials.session_token);
    sr.payload_sha256 = payload_hash;
    Signed sig = SignV4(sr, config_.credentials, config_.region, "s3", amz_date);
    HttpRequest req;
    req.method = call.method;
    req.url = url;
    req.headers = sr.headers;
    req.headers.emplace_back("Authorization", sig.authorization);
    req.body = call.body;
    req.sink = call.sink;
    if (call.before_attempt) call.before_attempt();
    if (call.attempts != nullptr) *call.attempts = attempt;
    Result<HttpResponse> r = transport_->Send(req);
    if (r.ok()) {
      int h = r->status;
      S3Error err = ParseS3Error(h, r->body, Header(*r, "date"));
      // A missing key is an answer where allowed; a missing bucket never is.
      if ((h >= 200 && h < 300) || (call.allow_missing && h == 404 && err.code != "NoSuchBucket"))
        return r;
      last = S3ErrorStatus(err, Where(call), amz_date);
    } else {
      last = r.status();
    }
    if (!IsRetryable(last) || attempt >= config_.retry.max_attempts) break;
    retry_env_.sleep(BackoffDelay(config_.retry, attempt, retry_env_.unit_random()));
  }
  if (IsRetryable(last) && config_.retry.max_attempts > 1)
    return Status(last.code(), last.message() + " (gave up after " +
                                   std::to_string(config_.retry.max_attempts) + " attempts)");
  return last;
}

Status S3Store::CheckBucket() {
  // A one-key listing rather than HEAD: its error answers have a body naming the cause
  // (NoSuchBucket, InvalidAccessKeyId, SignatureDoesNotMatch), HEAD's have only the status.
  Call c("GET", "", {{"list-type", "2"}, {"max-keys", "1"}, {"prefix", prefix_}});
  return Execute(c).status();
}

Status S3Store::Put(std::string_view key, std::string_view data) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  Call c("PUT", FullKey(key), {}, data);
  c.headers.emplace_back("Content-Type", "application/octet-stream");
  return Execute(c).status();
}

Result<std::string> S3Store::PutConditional(std::string_view key, std::string_view data,
                                            const Precondition& pre) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  Call c("PUT", FullKey(key), {}, data);
  c.headers.emplace_back("Content-Type", "application/octet-stream");
  if (pre.if_absent) c.headers.emplace_back("If-None-Match", "*");
  if (!pre.if_match.empty()) c.headers.emplace_back("If-Match", Unquote(pre.if_match));
  int attempts = 0;
  c.attempts = &attempts;
  auto r = Execute(c);
  if (r.ok()) return Unquote(Header(*r, "etag"));
  if (r.status().code() == StatusCode::kFailedPrecondition && attempts > 1) {
    // An earlier attempt may have been applied with its answer lost.
    auto current = Get(key);
    if (current.ok() && *current == data) {
      EL_ASSIGN_OR_RETURN(ObjectInfo info, Head(key));
      return info.etag;
    }
  }
  return r.status();
}

Status S3Store::PutFile(std::string_view key, const fs::path& file) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  std::error_code ec;
  auto size = static_cast<int64_t>(fs::file_size(file, ec));
  if (ec) return IOError("cannot read " + file.string() + ": " + ec.message());
  if (size <= config_.part_size) {
    EL_ASSIGN_OR_RETURN(std::string data, ReadFileRange(file, 0, size));
    return Put(key, data);
  }
  return PutMultipart(FullKey(key), file, size);
}

Result<std::string> S3Store::CreateUpload(const std::string& full_key) {
  Call create("POST", full_key, {{"uploads", ""}});
  create.headers.emplace_back("Content-Type", "application/octet-stream");
  EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(create));
  std::string upload_id = XmlText(r.body, "UploadId").value_or("");
  if (upload_id.empty())
    return IOError("CreateMultipartUpload of " + Where(create) + " answered no UploadId");
  return upload_id;
}

Status S3Store::PutMultipart(const std::string& full_key, const fs::path& file, int64_t size) {
  EL_ASSIGN_OR_RETURN(std::string upload_id, CreateUpload(full_key));
  auto etags = PutParts(full_key, upload_id, file, size);
  Status s = etags.ok() ? CompleteParts(full_key, upload_id, *etags) : etags.status();
  if (s.code() == StatusCode::kNotFound && etags.ok()) {
    // NoSuchUpload: a retried completion whose first answer was lost (the server completed it,
    // then the connection or the server went) finds the upload gone. The object is then there
    // with the ETag of exactly these parts.
    auto head = Head(RelativeKey(full_key));
    std::string etag = MultipartEtag(*etags);
    if (head.ok() && !etag.empty() && head->etag == etag) return Status::Ok();
  }
  if (!s.ok()) {
    Status abort = AbortMultipartUpload(RelativeKey(full_key), upload_id);
    if (!abort.ok())
      return Status(s.code(), s.message() + "; aborting the upload failed too: " + abort.message());
  }
  return s;
}

Result<std::vector<std::string>> S3Store::PutParts(const std::string& full_key,
                                                   const std::string& upload_id,
                                                   const fs::path& file, int64_t size) {
  std::vector<std::string> etags;
  int part = 1;
  // An empty file is one empty part.
  for (int64_t off = 0; off < size || part == 1; off += config_.part_size, ++part) {
    int64_t len = std::min<int64_t>(config_.part_size, size - off);
    EL_ASSIGN_OR_RETURN(std::string data, ReadFileRange(file, off, len));
    Call up("PUT", full_key, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}, data);
    EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(up));
    std::string etag = Header(r, "etag");
    if (etag.empty())
      return IOError("UploadPart " + std::to_string(part) + " of " + Where(up) +
                     " answered no ETag");
    etags.push_back(etag);
  }
  return etags;
}

Status S3Store::CompleteParts(const std::string& full_key, const std::string& upload_id,
                              const std::vector<std::string>& etags) {
  std::string complete = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    complete += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
                XmlEscape(etags[i]) + "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  Call done("POST", full_key, {{"uploadId", upload_id}}, complete);
  done.headers.emplace_back("Content-Type", "application/xml");
  EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(done));
  // CompleteMultipartUpload may answer 200 and report the failure in the body.
  if (!XmlElements(r.body, "Error").empty()) {
    S3Error err = ParseS3Error(500, r.body);
    return S3ErrorStatus(err, Where(done), "");
  }
  return Status::Ok();
}

Result<Upload> S3Store::StartUpload(std::string_view key, const fs::path& file) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  std::error_code ec;
  auto size = static_cast<int64_t>(fs::file_size(file, ec));
  if (ec) return IOError("cannot read " + file.string() + ": " + ec.message());
  std::string full_key = FullKey(key);
  Upload up;
  up.key = std::string(key);
  EL_ASSIGN_OR_RETURN(up.upload_id, CreateUpload(full_key));
  auto etags = PutParts(full_key, up.upload_id, file, size);
  if (!etags.ok()) {
    (void)AbortMultipartUpload(key, up.upload_id);
    return etags.status();
  }
  up.part_etags = std::move(*etags);
  return up;
}

Status S3Store::CompleteUpload(const Upload& upload) {
  EL_RETURN_IF_ERROR(CheckKey(upload.key));
  return CompleteParts(FullKey(upload.key), upload.upload_id, upload.part_etags);
}

Status S3Store::AbortMultipartUpload(std::string_view key, std::string_view upload_id) {
  Call c("DELETE", FullKey(key), {{"uploadId", std::string(upload_id)}});
  c.allow_missing = true;
  return Execute(c).status();
}

Result<std::vector<std::pair<std::string, std::string>>> S3Store::ListMultipartUploads() {
  std::vector<std::pair<std::string, std::string>> out;
  std::string key_marker, id_marker;
  while (true) {
    Call c("GET", "", {{"uploads", ""}, {"prefix", prefix_}});
    if (!key_marker.empty()) {
      c.query.emplace_back("key-marker", key_marker);
      c.query.emplace_back("upload-id-marker", id_marker);
    }
    EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
    for (std::string_view u : XmlElements(r.body, "Upload"))
      out.emplace_back(RelativeKey(XmlText(u, "Key").value_or("")),
                       XmlText(u, "UploadId").value_or(""));
    if (XmlText(r.body, "IsTruncated").value_or("false") != "true") break;
    key_marker = XmlText(r.body, "NextKeyMarker").value_or("");
    id_marker = XmlText(r.body, "NextUploadIdMarker").value_or("");
    if (key_marker.empty()) break;
  }
  return out;
}

Result<std::string> S3Store::Get(std::string_view key) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  Call c("GET", FullKey(key));
  EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  return std::move(r.body);
}

Result<std::string> S3Store::GetRange(std::string_view key, uint64_t offset, uint64_t length) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  if (length == 0) return std::string();
  Call c("GET", FullKey(key));
  uint64_t last = length > UINT64_MAX - offset ? UINT64_MAX - 1 : offset + length - 1;
  c.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last));
  EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  if (r.status == 200 && r.body.size() > length) {  // a server that ignored the range
    if (offset >= r.body.size()) return std::string();
    return r.body.substr(offset, length);
  }
  return std::move(r.body);
}

Status S3Store::GetToFile(std::string_view key, const fs::path& file) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  auto out = std::make_shared<std::ofstream>();
  Call c("GET", FullKey(key));
  c.before_attempt = [&] {
    out->close();
    out->clear();
    out->open(file, std::ios::binary | std::ios::trunc);
  };
  c.sink = [&](std::string_view piece) {
    out->write(piece.data(), static_cast<std::streamsize>(piece.size()));
    return *out ? Status::Ok() : IOError("cannot write " + file.string());
  };
  auto r = Execute(c);
  out->close();
  if (!r.ok()) return r.status();
  if (!*out) return IOError("cannot write " + file.string());
  return Status::Ok();
}

Result<ObjectInfo> S3Store::Head(std::string_view key) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  Call c("HEAD", FullKey(key));
  EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  ObjectInfo info;
  info.key = std::string(key);
  info.size = std::atoll(Header(r, "content-length").c_str());
  info.etag = Unquote(Header(r, "etag"));
  info.last_modified = Header(r, "last-modified");
  return info;
}

Status S3Store::Delete(std::string_view key) {
  EL_RETURN_IF_ERROR(CheckKey(key));
  Call c("DELETE", FullKey(key));
  c.allow_missing = true;
  return Execute(c).status();
}

Status S3Store::DeleteMany(const std::vector<std::string>& keys) {
  constexpr size_t kBatch = 1000;  // S3's limit per DeleteObjects request
  for (size_t i = 0; i < keys.size(); i += kBatch) {
    std::string body = "<Delete><Quiet>true</Quiet>";
    for (size_t j = i; j < std::min(keys.size(), i + kBatch); ++j) {
      EL_RETURN_IF_ERROR(CheckKey(keys[j]));
      body += "<Object><Key>" + XmlEscape(FullKey(keys[j])) + "</Key></Object>";
    }
    body += "</Delete>";
    Call c("POST", "", {{"delete", ""}}, body);
    c.headers.emplace_back("Content-MD5", Base64Md5(body));
    c.headers.emplace_back("Content-Type", "application/xml");
    EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
    auto errors = XmlElements(r.body, "Error");
    if (!errors.empty()) {
      std::string_view e = errors.front();
      return IOError("DeleteObjects in " + Describe() + " failed for " +
                     std::to_string(errors.size()) + " key(s), first " +
                     XmlText(e, "Key").value_or("?") + ": " + XmlText(e, "Code").value_or("?") +
                     " " + XmlText(e, "Message").value_or(""));
    }
  }
  return Status::Ok();
}

Result<ListPage> S3Store::List(const ListOptions& options) {
  if (options.max_keys < 1 || options.max_keys > 1000)
    return InvalidArgument("max_keys must be 1..1000");
  Call c("GET", "",
         {{"list-type", "2"},
          {"prefix", FullKey(options.prefix)},
          {"max-keys", std::to_string(options.max_keys)}});
  if (!options.delimiter.empty()) c.query.emplace_back("delimiter", options.delimiter);
  if (!options.continuation_token.empty())
    c.query.emplace_back("continuation-token", options.continuation_token);
  if (!options.start_after.empty())
    c.query.emplace_back("start-after", FullKey(options.start_after));
  EL_ASSIGN_OR_RETURN(HttpResponse r, Execute(c));
  ListPage page;
  for (std::string_view o : XmlElements(r.body, "Contents")) {
    ObjectInfo info;
    info.key = RelativeKey(XmlText(o, "Key").value_or(""));
    info.size = std::atoll(XmlText(o, "Size").value_or("0").c_str());
    info.etag = Unquote(XmlText(o, "ETag").value_or(""));
    info.last_modified = XmlText(o, "LastModified").value_or("");
    page.objects.push_back(std::move(info));
  }
  for (std::string_view p : XmlElements(r.body, "CommonPrefixes"))
    page.common_prefixes.push_back(RelativeKey(XmlText(p, "Prefix").value_or("")));
  if (XmlText(r.body, "IsTruncated").value_or("false") == "true") {
    page.next_token = XmlText(r.body, "NextContinuationToken").value_or("");
    if (page.next_token.empty())
      return IOError("a truncated listing of " + Describe() + " came without a continuation token");
  }
  return page;
}

}  // namespace el::objstore
