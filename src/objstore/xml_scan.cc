#include "objstore/xml_scan.h"

#include <cstdint>
#include <cstdlib>

namespace el::objstore {
namespace {

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x110000) {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Finds the next element named `tag` at or after `from`: sets [inner_begin, inner_end) and the
// position after its end tag. Returns false when there is none (or it is not closed).
bool FindElement(std::string_view xml, std::string_view tag, size_t from, size_t* inner_begin,
                 size_t* inner_end, size_t* after) {
  std::string open = "<" + std::string(tag);
  std::string close = "</" + std::string(tag) + ">";
  size_t pos = from;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t name_end = pos + open.size();
    if (name_end >= xml.size()) return false;
    char next = xml[name_end];
    if (next != '>' && next != '/' && next != ' ' && next != '\t' && next != '\n' && next != '\r') {
      pos = name_end;  // a longer name with this prefix (<Key> vs <KeyCount>)
      continue;
    }
    size_t gt = xml.find('>', name_end);
    if (gt == std::string_view::npos) return false;
    if (xml[gt - 1] == '/') {  // <tag/>
      *inner_begin = *inner_end = gt + 1;
      *after = gt + 1;
      return true;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return false;
    *inner_begin = gt + 1;
    *inner_end = end;
    *after = end + close.size();
    return true;
  }
  return false;
}

}  // namespace

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += text[i];
      continue;
    }
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out += '&';
    } else if (ent == "lt") {
      out += '<';
    } else if (ent == "gt") {
      out += '>';
    } else if (ent == "quot") {
      out += '"';
    } else if (ent == "apos") {
      out += '\'';
    } else if (ent.size() > 1 && ent[0] == '#') {
      std::string digits(ent.substr(ent[1] == 'x' || ent[1] == 'X' ? 2 : 1));
      char* end = nullptr;
      unsigned long cp =
          std::strtoul(digits.c_str(), &end, ent[1] == 'x' || ent[1] == 'X' ? 16 : 10);
      if (digits.empty() || *end != '\0') {
        out += text.substr(i, semi - i + 1);
      } else {
        AppendUtf8(out, static_cast<uint32_t>(cp));
      }
    } else {
      out += text.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<std::string> XmlText(std::string_view xml, std::string_view tag) {
  size_t b = 0, e = 0, after = 0;
  if (!FindElement(xml, tag, 0, &b, &e, &after)) return std::nullopt;
  return XmlUnescape(xml.substr(b, e - b));
}

std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  size_t pos = 0, b = 0, e = 0;
  while (FindElement(xml, tag, pos, &b, &e, &pos)) out.push_back(xml.substr(b, e - b));
  return out;
}

}  // namespace el::objstore
