#include "objstore/curl_transport.h"

#include <curl/curl.h>

#include <cctype>

namespace el::objstore {
namespace {

struct Transfer {
  const HttpRequest* request;
  HttpResponse* response;
  size_t sent = 0;
  Status sink_status;
  CURL* curl;
};

size_t ReadBody(char* out, size_t size, size_t n, void* userdata) noexcept {
  auto* t = static_cast<Transfer*>(userdata);
  size_t room = size * n;
  size_t left = t->request->body.size() - t->sent;
  size_t take = left < room ? left : room;
  std::copy_n(t->request->body.data() + t->sent, take, out);
  t->sent += take;
  return take;
}

size_t WriteBody(char* data, size_t size, size_t n, void* userdata) noexcept {
  auto* t = static_cast<Transfer*>(userdata);
  size_t len = size * n;
  long code = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
  if (t->request->sink && code >= 200 && code < 300) {
    t->sink_status = t->request->sink(std::string_view(data, len));
    return t->sink_status.ok() ? len : 0;
  }
  t->response->body.append(data, len);
  return len;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* userdata) noexcept {
  auto* t = static_cast<Transfer*>(userdata);
  std::string_view line(data, size * n);
  size_t colon = line.find(':');
  if (line.substr(0, 5) == "HTTP/") {
    t->response->headers.clear();  // a new answer (after 100 Continue)
  } else if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    t->response->headers[name] = std::string(value);
  }
  return size * n;
}

}  // namespace

CurlTransport::CurlTransport(CurlOptions options) : options_(options) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlTransport::~CurlTransport() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* CurlTransport::Take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlTransport::Give(void* handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < 16) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(Take());
  if (curl == nullptr) return Internal("curl_easy_init failed");
  curl_easy_reset(curl);
  HttpResponse response;
  Transfer t{&request, &response, 0, Status::Ok(), curl};
  curl_slist* headers = nullptr;
  for (const auto& [k, v] : request.headers)
    headers = curl_slist_append(headers, (k + ": " + v).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.idle_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(headers);
  std::string what = request.method + " " + request.url;
  if (rc != CURLE_OK) {
    curl_easy_cleanup(curl);  // the connection's state is unknown: do not reuse it
    if (!t.sink_status.ok()) return t.sink_status;
    std::string msg = what + ": " + (error[0] ? error : curl_easy_strerror(rc));
    if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceeded("timed out: " + msg);
    return Unavailable("cannot reach the S3 endpoint: " + msg);
  }
  Give(curl);
  response.status = static_cast<int>(code);
  return response;
}

}  // namespace el::objstore
