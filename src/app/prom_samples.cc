#include "app/prom_samples.h"

#include <exception>
#include <string>

namespace el::app {

std::vector<Sample> ParseSamples(std::string_view text) {
  std::vector<Sample> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    Sample s;
    size_t at = line.find_first_of("{ ");
    if (at == std::string_view::npos) continue;
    s.name = std::string(line.substr(0, at));
    if (line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        size_t eq = line.find("=\"", at);
        if (eq == std::string_view::npos) break;
        std::string key(line.substr(at, eq - at)), value;
        at = eq + 2;
        while (at < line.size() && line[at] != '"') {
          if (line[at] == '\\' && at + 1 < line.size()) {
            char escaped = line[++at];
            value += escaped == 'n' ? '\n' : escaped;
          } else {
            value += line[at];
          }
          ++at;
        }
        s.labels[key] = value;
        at = line.find_first_of(",}", at);
        if (at == std::string_view::npos) break;
        if (line[at] == ',') ++at;
      }
      at = at == std::string_view::npos ? line.size() : at + 1;
    }
    try {
      s.value = std::stod(std::string(line.substr(at)));
    } catch (const std::exception&) {
      continue;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace el::app
