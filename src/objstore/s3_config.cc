#include "objstore/s3_config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace el::objstore {
namespace {

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status CheckEndpoint(const std::string& endpoint) {
  auto scheme_end = endpoint.find("://");
  if (scheme_end == std::string::npos || (endpoint.compare(0, scheme_end, "http") != 0 &&
                                          endpoint.compare(0, scheme_end, "https") != 0))
    return InvalidArgument("bad S3 endpoint '" + endpoint +
                           "': the form is http://HOST[:PORT] or https://HOST[:PORT]");
  std::string rest = endpoint.substr(scheme_end + 3);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos)
    return InvalidArgument("bad S3 endpoint '" + endpoint + "': only scheme, host and port");
  return Status::Ok();
}

}  // namespace

EnvLookup ProcessEnvLookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

std::map<std::string, std::string> ParseAwsProfile(std::string_view text,
                                                   const std::string& profile, bool config_style) {
  std::string want = (config_style && profile != "default") ? "profile " + profile : profile;
  std::map<std::string, std::string> out;
  bool in = false;
  std::string block;  // a nested block's name ("s3") while its indented lines last
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      in = t.back() == ']' && Trim(std::string_view(t).substr(1, t.size() - 2)) == want;
      block.clear();
      continue;
    }
    if (!in) continue;
    bool indented = line[0] == ' ' || line[0] == '\t';
    auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(std::string_view(t).substr(0, eq));
    std::string value = Trim(std::string_view(t).substr(eq + 1));
    if (indented && !block.empty()) {
      out[block + "." + key] = value;
    } else if (value.empty()) {
      block = key;
    } else {
      block.clear();
      out[key] = value;
    }
  }
  return out;
}

Result<S3Config> S3ConfigFromEnvironment(const EnvLookup& env) {
  S3Config c;
  std::string profile = env("AWS_PROFILE").value_or("default");
  std::string home = env("HOME").value_or("");
  std::string config_path =
      env("AWS_CONFIG_FILE").value_or(home.empty() ? "" : home + "/.aws/config");
  std::string creds_path =
      env("AWS_SHARED_CREDENTIALS_FILE").value_or(home.empty() ? "" : home + "/.aws/credentials");
  std::map<std::string, std::string> conf, creds;
  if (!config_path.empty()) {
    if (auto text = ReadFile(config_path)) conf = ParseAwsProfile(*text, profile, true);
  }
  if (!creds_path.empty()) {
    if (auto text = ReadFile(creds_path)) creds = ParseAwsProfile(*text, profile, false);
  }
  auto pick = [&](std::initializer_list<const char*> vars, const std::string& key) {
    for (const char* v : vars) {
      if (auto value = env(v)) return *value;
    }
    if (auto it = creds.find(key); it != creds.end()) return it->second;
    if (auto it = conf.find(key); it != conf.end()) return it->second;
    return std::string();
  };
  std::string region = pick({"AWS_REGION", "AWS_DEFAULT_REGION"}, "region");
  if (!region.empty()) c.region = region;
  c.endpoint = pick({"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}, "endpoint_url");
  if (c.endpoint.empty()) {
    if (auto it = conf.find("s3.endpoint_url"); it != conf.end()) c.endpoint = it->second;
  }
  bool custom = !c.endpoint.empty();
  if (!custom) c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  while (!c.endpoint.empty() && c.endpoint.back() == '/') c.endpoint.pop_back();
  EL_RETURN_IF_ERROR(CheckEndpoint(c.endpoint));
  c.credentials.access_key = pick({"AWS_ACCESS_KEY_ID"}, "aws_access_key_id");
  c.credentials.secret_key = pick({"AWS_SECRET_ACCESS_KEY"}, "aws_secret_access_key");
  c.credentials.session_token = pick({"AWS_SESSION_TOKEN"}, "aws_session_token");
  if (c.credentials.access_key.empty() || c.credentials.secret_key.empty())
    return FailedPrecondition(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws_access_key_id "
        "and aws_secret_access_key in profile '" +
        profile + "' of " + (creds_path.empty() ? std::string("~/.aws/credentials") : creds_path));
  std::string style = env("EVENTLAKE_S3_ADDRESSING_STYLE").value_or("");
  if (style.empty()) {
    if (auto it = conf.find("s3.addressing_style"); it != conf.end()) style = it->second;
  }
  if (style.empty() || style == "auto") {
    c.path_style = custom;
  } else if (style == "path") {
    c.path_style = true;
  } else if (style == "virtual") {
    c.path_style = false;
  } else {
    return InvalidArgument("bad S3 addressing style '" + style + "': path or virtual");
  }
  return c;
}

}  // namespace el::objstore
