#include "core/policy/policy_parser.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/assert.h"

// Two phases. The syntax phase turns the text into an expression tree (gates, strings,
// numbers, booleans, bare identifiers) and reports malformed text. The build phase walks the
// tree the way Fabric's three govaluate passes do (arguments left to right, inner gates before
// the gate that holds them) and keeps the first error of each pass; the earliest pass wins.

namespace fabsim {
namespace {

enum class GateKind : uint8_t { kAnd, kOr, kOutOf };

std::optional<GateKind> gate_from_name(std::string_view s) {
  if (s == "AND" || s == "And" || s == "and") return GateKind::kAnd;
  if (s == "OR" || s == "Or" || s == "or") return GateKind::kOr;
  if (s == "OutOf" || s == "outof" || s == "OUTOF") return GateKind::kOutOf;
  return std::nullopt;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ident_start(char c) { return is_letter(c) || c == '_'; }
bool is_ident_char(char c) { return is_letter(c) || is_digit(c) || c == '_' || c == '.'; }
bool is_quote(char c) { return c == '\'' || c == '"'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_bool_text(std::string_view s) { return s == "true" || s == "false"; }

// A number as govaluate reads it: float64, then int() truncates toward zero.
struct NumberValue {
  int64_t value = 0;
  bool saturated = false;  // too large to hold; only ever fails the bounds check
};

// Parses "[-][spaces]digits[.digits]" (at least one digit, at most one dot).
std::optional<NumberValue> parse_number(std::string_view s) {
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  }
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 10 - 10;
  NumberValue n;
  bool seen_digit = false;
  bool seen_dot = false;
  for (char c : s) {
    if (c == '.') {
      if (seen_dot) return std::nullopt;
      seen_dot = true;
    } else if (is_digit(c)) {
      seen_digit = true;
      if (seen_dot) continue;  // the fraction is truncated away
      if (n.value > kLimit) {
        n.saturated = true;
      } else {
        n.value = n.value * 10 + (c - '0');
      }
    } else {
      return std::nullopt;
    }
  }
  if (!seen_digit) return std::nullopt;
  if (negative) n.value = -n.value;
  return n;
}

// A token for a message: a quoted string as written, anything else in single quotes.
std::string show(std::string_view raw) {
  if (!raw.empty() && is_quote(raw.front())) return std::string(raw);
  return fmt::format("'{}'", raw);
}

// "<what>: <token> at position <pos>", the shape of every error that names a token.
std::string at_token(std::string_view what, std::string_view raw, size_t pos) {
  return fmt::format("{}: {} at position {}", what, show(raw), pos);
}

struct ParseError {
  std::string message;
  size_t position = 0;
};

enum class TokenKind : uint8_t { kEnd, kIdent, kNumber, kString, kLParen, kRParen, kComma, kMinus, kOther };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t pos = 0;
  std::string_view raw;  // source text; a string includes its quotes
  std::string value;     // kString: the content with escapes resolved
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  // Reads the next token into `tok`. Fails only on an unclosed string.
  std::optional<ParseError> next(Token& tok) {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    tok = Token{TokenKind::kEnd, pos_, {}, {}};
    if (pos_ == text_.size()) return std::nullopt;
    const size_t start = pos_;
    const char c = text_[pos_];
    if (is_quote(c)) return lex_string(tok);
    if (is_ident_start(c)) {
      while (pos_ < text_.size() && is_ident_char(text_[pos_])) ++pos_;
      tok.kind = TokenKind::kIdent;
    } else if (is_digit(c) || c == '.') {
      while (pos_ < text_.size() && (is_digit(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      tok.kind = TokenKind::kNumber;
    } else {
      ++pos_;
      switch (c) {
        case '(': tok.kind = TokenKind::kLParen; break;
        case ')': tok.kind = TokenKind::kRParen; break;
        case ',': tok.kind = TokenKind::kComma; break;
        case '-': tok.kind = TokenKind::kMinus; break;
        default:
          tok.kind = TokenKind::kOther;
          // Keep a multi-byte UTF-8 character whole, so the message stays readable.
          while (pos_ < text_.size() && (static_cast<unsigned char>(text_[pos_]) & 0xC0) == 0x80) ++pos_;
      }
    }
    tok.raw = text_.substr(start, pos_ - start);
    tok.value = std::string(tok.raw);
    return std::nullopt;
  }

 private:
  // As govaluate: the string ends at the first unescaped ' or ", whichever opened it.
  std::optional<ParseError> lex_string(Token& tok) {
    const size_t start = pos_++;
    std::string value;
    while (pos_ < text_.size() && !is_quote(text_[pos_])) {
      if (text_[pos_] == '\\') {
        if (++pos_ == text_.size()) break;
      }
      value += text_[pos_++];
    }
    if (pos_ == text_.size()) {
      return ParseError{fmt::format("unclosed string literal {} at position {}", text_.substr(start), start),
                        start};
    }
    ++pos_;  // the closing quote
    tok.kind = TokenKind::kString;
    tok.raw = text_.substr(start, pos_ - start);
    tok.value = std::move(value);
    return std::nullopt;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

struct Expr {
  enum class Kind : uint8_t { kGate, kString, kNumber, kBool, kIdent };
  Kind kind = Kind::kIdent;
  size_t pos = 0;
  std::string_view raw;  // kGate: the gate's name; otherwise the literal as written
  std::string value;     // kString: content; kIdent: the identifier
  GateKind gate = GateKind::kAnd;
  std::vector<Expr> args;  // kGate
};

class SyntaxParser {
 public:
  explicit SyntaxParser(std::string_view text) : text_(text), lexer_(text) {}

  std::optional<Expr> parse() {
    if (!advance()) return std::nullopt;
    std::optional<Expr> root = parse_expr(0);
    if (!root) return std::nullopt;
    if (cur_.kind != TokenKind::kEnd) return unexpected("the end of the policy");
    return root;
  }

  const ParseError& error() const {
    FABSIM_ASSERT(error_.has_value());
    return *error_;
  }

 private:
  bool advance() {
    error_ = lexer_.next(cur_);
    return !error_.has_value();
  }

  std::nullopt_t unexpected(std::string_view expected) {
    if (cur_.kind == TokenKind::kEnd) {
      error_ = ParseError{fmt::format("Unexpected end of expression at position {}", cur_.pos), cur_.pos};
    } else {
      error_ = ParseError{
          fmt::format("unexpected token {} at position {} (expected {})", show(cur_.raw), cur_.pos, expected),
          cur_.pos};
    }
    return std::nullopt;
  }

  std::nullopt_t too_deep() {
    error_ = ParseError{
        at_token(fmt::format("policy nested deeper than {} levels", kMaxRuleDepth), cur_.raw, cur_.pos),
        cur_.pos};
    return std::nullopt;
  }

  // Parses one expression starting at cur_; leaves cur_ on the token after it. `depth` counts
  // the gates and parentheses around it: a gate at depth d has leaves at rule depth d + 2.
  std::optional<Expr> parse_expr(size_t depth) {
    Expr e;
    e.pos = cur_.pos;
    e.raw = cur_.raw;
    switch (cur_.kind) {
      case TokenKind::kLParen: {
        if (depth + 2 > kMaxRuleDepth) return too_deep();
        if (!advance()) return std::nullopt;
        std::optional<Expr> inner = parse_expr(depth + 1);
        if (!inner) return std::nullopt;
        if (cur_.kind != TokenKind::kRParen) return unexpected("')'");
        if (!advance()) return std::nullopt;
        return inner;
      }
      case TokenKind::kIdent: {
        if (std::optional<GateKind> gate = gate_from_name(cur_.raw)) {
          if (depth + 2 > kMaxRuleDepth) return too_deep();
          e.kind = Expr::Kind::kGate;
          e.gate = *gate;
          return parse_gate(std::move(e), depth);
        }
        e.kind = is_bool_text(cur_.raw) ? Expr::Kind::kBool : Expr::Kind::kIdent;
        e.value = std::move(cur_.value);
        if (!advance()) return std::nullopt;
        if (e.kind == Expr::Kind::kIdent && cur_.kind == TokenKind::kLParen) {
          // A call of something that is not a gate, e.g. "NOPE('A.member')".
          error_ = ParseError{fmt::format("unrecognized token '{}' at position {}", e.value, e.pos), e.pos};
          return std::nullopt;
        }
        return e;
      }
      case TokenKind::kMinus:
        if (!advance()) return std::nullopt;
        if (cur_.kind != TokenKind::kNumber) return unexpected("a number after '-'");
        e.raw = text_.substr(e.pos, cur_.pos + cur_.raw.size() - e.pos);
        [[fallthrough]];
      case TokenKind::kNumber: {
        if (!parse_number(e.raw)) {
          error_ = ParseError{
              fmt::format("unable to parse numeric value {} at position {}", show(e.raw), e.pos), e.pos};
          return std::nullopt;
        }
        e.kind = Expr::Kind::kNumber;
        break;
      }
      case TokenKind::kString:
        e.kind = Expr::Kind::kString;
        e.value = std::move(cur_.value);
        break;
      default: return unexpected("a gate, a principal or a number");
    }
    if (!advance()) return std::nullopt;
    return e;
  }

  // cur_ is the gate's name.
  std::optional<Expr> parse_gate(Expr gate, size_t depth) {
    if (!advance()) return std::nullopt;
    if (cur_.kind != TokenKind::kLParen) return unexpected(fmt::format("'(' after {}", show(gate.raw)));
    if (!advance()) return std::nullopt;
    if (cur_.kind == TokenKind::kRParen) {
      if (!advance()) return std::nullopt;
      return gate;
    }
    while (true) {
      std::optional<Expr> arg = parse_expr(depth + 1);
      if (!arg) return std::nullopt;
      gate.args.push_back(std::move(*arg));
      if (cur_.kind == TokenKind::kComma) {
        if (!advance()) return std::nullopt;
        continue;
      }
      if (cur_.kind != TokenKind::kRParen) return unexpected("',' or ')'");
      if (!advance()) return std::nullopt;
      return gate;
    }
  }

  std::string_view text_;
  Lexer lexer_;
  Token cur_;
  std::optional<ParseError> error_;
};

// Fabric's passes (F22:common/policydsl/policyparser.go FromString): `and`/`or`/`outof`
// translate the text, `firstPass` re-reads quoted strings that were not principals, and
// `secondPass` builds the policy and checks the threshold.
enum class Pass : uint8_t { kTranslate = 0, kExpand = 1, kBuild = 2 };

class Builder {
 public:
  // Builds the rule of `gate`, recording errors; the result is meaningful only without errors.
  SignaturePolicy build_gate(const Expr& gate) {
    FABSIM_ASSERT(gate.kind == Expr::Kind::kGate);
    const bool out_of = gate.gate == GateKind::kOutOf;
    const size_t first_child = (out_of && !gate.args.empty()) ? 1 : 0;
    // Passes 1 and 2 evaluate the arguments, left to right, before the gate itself.
    std::vector<SignaturePolicy> nested(gate.args.size());
    for (size_t k = 0; k < gate.args.size(); ++k) {
      if (gate.args[k].kind == Expr::Kind::kGate) {
        nested[k] = build_gate(gate.args[k]);
      } else {
        evaluate_argument(gate.args[k], /*is_threshold=*/k < first_child);
      }
    }
    // Pass 1: the gate function (outof(); and() and or() prepend their threshold).
    const size_t given = out_of ? gate.args.size() : gate.args.size() + 1;
    if (given < 2) {
      fail(Pass::kTranslate,
           at_token(fmt::format("expected at least two arguments to NOutOf, given {}", given), gate.raw,
                    gate.pos),
           gate.pos);
      return n_out_of(0, {});
    }
    for (size_t k = 0; k < gate.args.size(); ++k) {
      const Expr& a = gate.args[k];
      const bool is_threshold = k < first_child;
      if (a.kind == Expr::Kind::kBool || (a.kind == Expr::Kind::kNumber && !is_threshold)) {
        const char* type = a.kind == Expr::Kind::kBool ? "bool" : "number";
        fail(Pass::kTranslate, at_token(fmt::format("unexpected type {}", type), a.raw, a.pos), a.pos);
      }
    }
    // Pass 3: secondPass checks the threshold and builds the rule.
    const size_t n = gate.args.size() - first_child;
    const std::optional<int64_t> t = threshold(gate, n);
    std::vector<SignaturePolicy> rules;
    rules.reserve(n);
    for (size_t k = first_child; k < gate.args.size(); ++k) {
      const Expr& a = gate.args[k];
      if (a.kind == Expr::Kind::kGate) {
        rules.push_back(std::move(nested[k]));
      } else if (a.kind == Expr::Kind::kString) {
        if (std::optional<MspPrincipal> p = parse_msp_principal(a.value)) {
          rules.push_back(signed_by(static_cast<int32_t>(identities_.size())));
          identities_.push_back(std::move(*p));
        } else if (parse_number(trim(a.value))) {
          fail(Pass::kBuild,
               at_token("unrecognized type, expected a principal or a policy, got a number", a.raw, a.pos),
               a.pos);
        }
      }
    }
    return n_out_of(static_cast<int32_t>(t.value_or(0)), std::move(rules));
  }

  void fail_root(const Expr& root) {
    if (root.kind == Expr::Kind::kIdent) {
      evaluate_argument(root, false);
    } else {
      fail(Pass::kTranslate, at_token("invalid policy string", root.raw, root.pos), root.pos);
    }
  }

  const std::optional<ParseError>* first_error() const {
    for (const std::optional<ParseError>& e : errors_) {
      if (e) return &e;
    }
    return nullptr;
  }

  std::vector<MspPrincipal> take_identities() { return std::move(identities_); }

 private:
  void fail(Pass pass, std::string message, size_t pos) {
    std::optional<ParseError>& slot = errors_[static_cast<size_t>(pass)];
    if (!slot) slot = ParseError{std::move(message), pos};
  }

  void unrecognized(Pass pass, std::string_view token, size_t pos) {
    fail(pass, fmt::format("unrecognized token '{}' at position {}", token, pos), pos);
  }

  // What evaluating a literal argument finds in passes 1 and 2.
  void evaluate_argument(const Expr& a, bool is_threshold) {
    if (a.kind == Expr::Kind::kIdent) {
      // govaluate reads "A.b" as field b of parameter A, and reports the missing parameter.
      unrecognized(Pass::kTranslate, std::string_view(a.value).substr(0, a.value.find('.')), a.pos);
      return;
    }
    if (a.kind != Expr::Kind::kString) return;
    // Pass 1 copied a string that is not a principal into the text unquoted; pass 2 reads it.
    if (!is_threshold && parse_msp_principal(a.value)) return;
    const std::string_view content = trim(a.value);
    if (is_bool_text(content)) {
      fail(Pass::kExpand, at_token("unexpected type bool", a.raw, a.pos), a.pos);
    } else if (!parse_number(content)) {
      unrecognized(Pass::kExpand, a.value, a.pos);
    }
  }

  // The gate's threshold t, or nullopt if it is not a number (an error is then recorded).
  std::optional<int64_t> threshold(const Expr& gate, size_t n) {
    if (gate.gate == GateKind::kAnd) return static_cast<int64_t>(n);
    if (gate.gate == GateKind::kOr) return 1;
    const Expr& a = gate.args.front();
    // The number as written: a bare number's text, or a quoted one's trimmed content.
    const std::string_view written = a.kind == Expr::Kind::kString ? trim(a.value) : a.raw;
    std::optional<NumberValue> t;
    if (a.kind == Expr::Kind::kNumber || a.kind == Expr::Kind::kString) t = parse_number(written);
    if (a.kind == Expr::Kind::kGate) {
      fail(Pass::kBuild, at_token("unrecognized type, expected a number, got a gate", a.raw, a.pos), a.pos);
    }
    if (!t) return std::nullopt;  // bool, identifier or bad string: recorded in pass 1 or 2
    const auto max_t = static_cast<int64_t>(n) + 1;
    if (t->saturated || t->value < 0 || t->value > max_t) {
      const std::string t_text = t->saturated ? std::string(written) : std::to_string(t->value);
      fail(Pass::kBuild,
           at_token(fmt::format("invalid t-out-of-n predicate, t {}, n {}", t_text, n), a.raw, a.pos), a.pos);
      return std::nullopt;
    }
    return t->value;
  }

  std::array<std::optional<ParseError>, 3> errors_;
  std::vector<MspPrincipal> identities_;
};

Status to_status(const ParseError& e, size_t* error_position) {
  if (error_position != nullptr) *error_position = e.position;
  return Status::invalid_argument(e.message);
}

}  // namespace

Result<SignaturePolicyEnvelope> parse_signature_policy(std::string_view text, size_t* error_position) {
  SyntaxParser syntax(text);
  std::optional<Expr> root = syntax.parse();
  if (!root) return to_status(syntax.error(), error_position);
  Builder builder;
  SignaturePolicy rule;
  if (root->kind == Expr::Kind::kGate) {
    rule = builder.build_gate(*root);
  } else {
    builder.fail_root(*root);
  }
  if (const std::optional<ParseError>* e = builder.first_error()) return to_status(**e, error_position);
  return SignaturePolicyEnvelope{0, std::move(rule), builder.take_identities()};
}

}  // namespace fabsim
