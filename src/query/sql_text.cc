#include "query/sql_text.h"

#include <cctype>

namespace el::query {
namespace {

// Walks SQL text one character at a time, tracking whether it is inside a literal or a comment.
class Lexer {
 public:
  explicit Lexer(std::string_view sql) : sql_(sql) {}

  // Consumes the next piece of text (a character, or a whole closing delimiter) and returns its
  // length; sets *top_level_semicolon when it was a ';' in code, *code when it is not blank or
  // comment text.
  size_t Next(size_t i, bool* top_level_semicolon, bool* code);

 private:
  enum class State { kCode, kSingle, kEscapeString, kDouble, kDollar, kLineComment, kBlockComment };
  size_t StartToken(size_t i, bool* code);

  std::string_view sql_;
  State state_ = State::kCode;
  std::string_view dollar_tag_;  // "$tag$" while in a dollar-quoted string
};

bool StartsWith(std::string_view s, size_t i, std::string_view prefix) {
  return s.substr(i, prefix.size()) == prefix;
}

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

size_t Lexer::StartToken(size_t i, bool* code) {
  char c = sql_[i];
  char prev = i > 0 ? sql_[i - 1] : ' ';
  if (StartsWith(sql_, i, "--")) {
    state_ = State::kLineComment;
    return 2;
  }
  if (StartsWith(sql_, i, "/*")) {
    state_ = State::kBlockComment;
    return 2;
  }
  if (!std::isspace(static_cast<unsigned char>(c))) *code = true;
  if (c == '\'') {
    state_ = (prev == 'e' || prev == 'E') && (i < 2 || !IsIdentChar(sql_[i - 2]))
                 ? State::kEscapeString
                 : State::kSingle;
  } else if (c == '"') {
    state_ = State::kDouble;
  } else if (c == '$' && !IsIdentChar(prev)) {
    // $tag$ opens a dollar-quoted string; $1 (a parameter) does not.
    size_t end = i + 1;
    while (end < sql_.size() && IsIdentChar(sql_[end]) &&
           !std::isdigit(static_cast<unsigned char>(sql_[i + 1]))) {
      ++end;
    }
    if (end < sql_.size() && sql_[end] == '$') {
      dollar_tag_ = sql_.substr(i, end - i + 1);
      state_ = State::kDollar;
      return dollar_tag_.size();
    }
  }
  return 1;
}

size_t Lexer::Next(size_t i, bool* top_level_semicolon, bool* code) {
  *top_level_semicolon = false;
  char c = sql_[i];
  switch (state_) {
    case State::kCode:
      if (c == ';') {
        *top_level_semicolon = true;
        return 1;
      }
      return StartToken(i, code);
    case State::kSingle:
      if (c == '\'') state_ = State::kCode;  // '' inside a string reads as close + open
      return 1;
    case State::kEscapeString:
      if (c == '\\') return i + 1 < sql_.size() ? 2 : 1;
      if (c == '\'') state_ = State::kCode;
      return 1;
    case State::kDouble:
      if (c == '"') state_ = State::kCode;
      return 1;
    case State::kDollar:
      if (StartsWith(sql_, i, dollar_tag_)) {
        state_ = State::kCode;
        return dollar_tag_.size();
      }
      return 1;
    case State::kLineComment:
      if (c == '\n') state_ = State::kCode;
      return 1;
    case State::kBlockComment:
      if (StartsWith(sql_, i, "*/")) {
        state_ = State::kCode;
        return 2;
      }
      return 1;
  }
  return 1;
}

}  // namespace

std::vector<std::string> SplitStatements(std::string_view sql) {
  std::vector<std::string> out;
  Lexer lexer(sql);
  size_t start = 0;
  bool has_code = false;  // the current statement holds something besides blanks and comments
  for (size_t i = 0; i < sql.size();) {
    bool semicolon = false;
    size_t n = lexer.Next(i, &semicolon, &has_code);
    if (semicolon) {
      if (has_code) out.emplace_back(sql.substr(start, i - start));
      start = i + 1;
      has_code = false;
    }
    i += n;
  }
  if (has_code) out.emplace_back(sql.substr(start));
  return out;
}

bool IsCompleteSql(std::string_view sql) {
  Lexer lexer(sql);
  bool any_statement = false;
  bool open = false;  // code after the last top-level ';'
  for (size_t i = 0; i < sql.size();) {
    bool semicolon = false;
    bool code = false;
    size_t n = lexer.Next(i, &semicolon, &code);
    if (semicolon) {
      any_statement = any_statement || open;
      open = false;
    } else if (code) {
      open = true;
    }
    i += n;
  }
  return any_statement && !open;
}

}  // namespace el::query
