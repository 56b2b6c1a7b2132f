#include "scenarios/arg_template.h"

#include <charconv>

#include "scenarios/suggest.h"

namespace fabsim::scenario {
namespace {

bool parse_int(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_uint(std::string_view s, uint64_t* out) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

void add_literal(ArgTemplate& t, std::string_view s) {
  if (s.empty()) return;
  if (!t.pieces.empty() && t.pieces.back().kind == ArgPiece::Kind::kLiteral) {
    t.pieces.back().literal += s;
    return;
  }
  ArgPiece p;
  p.literal = std::string(s);
  t.pieces.push_back(std::move(p));
}

// The placeholder `body` (between the braces) as a piece, or an error message.
Result<ArgPiece> parse_placeholder(std::string_view body) {
  ArgPiece p;
  const std::string name(body.substr(0, body.find(':')));
  const bool has_params = body.find(':') != std::string_view::npos;
  const std::string_view params = has_params ? body.substr(body.find(':') + 1) : std::string_view();
  auto no_params = [&](ArgPiece::Kind k) -> Result<ArgPiece> {
    if (has_params) return Status::invalid_argument("placeholder '{" + name + "}' takes no parameters");
    p.kind = k;
    return p;
  };
  if (name == "key") return no_params(ArgPiece::Kind::kKey);
  if (name == "key2") return no_params(ArgPiece::Kind::kKey2);
  if (name == "seq") return no_params(ArgPiece::Kind::kSeq);
  if (name == "client") return no_params(ArgPiece::Kind::kClient);
  if (name == "int") {
    const size_t colon = params.find(':');
    if (!has_params || colon == std::string_view::npos || !parse_int(params.substr(0, colon), &p.lo) ||
        !parse_int(params.substr(colon + 1), &p.hi))
      return Status::invalid_argument("expected '{int:LO:HI}' with whole numbers LO and HI");
    if (p.lo > p.hi) return Status::invalid_argument("'{int:LO:HI}' needs LO <= HI");
    p.kind = ArgPiece::Kind::kInt;
    return p;
  }
  if (name == "bytes") {
    if (!has_params || !parse_uint(params, &p.bytes))
      return Status::invalid_argument("expected '{bytes:N}' with a whole number N");
    if (p.bytes > kMaxTemplateBytes)
      return Status::invalid_argument("'{bytes:N}' allows at most " + std::to_string(kMaxTemplateBytes) + " bytes");
    p.kind = ArgPiece::Kind::kBytes;
    return p;
  }
  static const std::vector<std::string> kNames = {"{key}", "{key2}", "{seq}", "{client}", "{int:LO:HI}", "{bytes:N}"};
  return Status::invalid_argument("unknown placeholder '{" + std::string(body) + "}'" +
                                  suggestion("{" + name + "}", kNames));
}

}  // namespace

bool ArgTemplate::uses(ArgPiece::Kind kind) const {
  for (const ArgPiece& p : pieces)
    if (p.kind == kind) return true;
  return false;
}

Result<ArgTemplate> parse_arg_template(std::string_view text, size_t* error_position) {
  ArgTemplate t;
  t.text = std::string(text);
  auto fail = [&](size_t pos, const std::string& message) -> Result<ArgTemplate> {
    if (error_position) *error_position = pos;
    return Status::invalid_argument(message + " at position " + std::to_string(pos));
  };
  size_t i = 0;
  std::string literal;
  while (i < text.size()) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c == '}') return fail(i, "unmatched '}' (write '}}' for a literal brace)");
    if (c != '{') {
      literal += c;
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) return fail(i, "unclosed '{' (write '{{' for a literal brace)");
    auto piece = parse_placeholder(text.substr(i + 1, close - i - 1));
    if (!piece) return fail(i, piece.status().message());
    add_literal(t, literal);
    literal.clear();
    t.pieces.push_back(std::move(piece).value());
    i = close + 1;
  }
  add_literal(t, literal);
  return t;
}

}  // namespace fabsim::scenario
