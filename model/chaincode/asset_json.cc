#include "model/chaincode/asset_json.h"

#include <charconv>
#include <optional>

namespace fabsim::chaincode {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_u_escape(std::string& out, uint32_t code) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(code >> shift) & 0xF];
}

// Length of the valid UTF-8 sequence starting at s[i] (1-4), or 0 if invalid there.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  uint32_t min_code = 0;
  uint32_t code = 0;
  if ((c & 0xE0) == 0xC0) { n = 2; code = c & 0x1F; min_code = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 3; code = c & 0x0F; min_code = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 4; code = c & 0x07; min_code = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (b(i + k) & 0x3F);
  }
  if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

void append_utf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// A minimal JSON reader over one document, enough for the asset record.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  Status error(const std::string& what) const {
    return Status::invalid_argument("asset JSON: " + what + " at offset " + std::to_string(pos_));
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  bool consume(char c) {
    skip_ws();
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  bool consume_literal(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }

  Result<std::string> string() {
    skip_ws();
    if (peek() != '"') return error("expected a string");
    ++pos_;
    std::string out;
    for (;;) {
      if (at_end()) return error("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<uint8_t>(c) < 0x20) return error("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) return error("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          auto code = hex4();
          if (!code.is_ok()) return code.status();
          uint32_t cp = *code;
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            auto low = hex4();
            if (!low.is_ok()) return low.status();
            if (*low >= 0xDC00 && *low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
            } else {
              append_utf8(out, 0xFFFD);  // lone high surrogate, as Go does
              cp = *low;
            }
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
          append_utf8(out, cp);
          break;
        }
        default:
          return error("invalid escape");
      }
    }
  }

  // A JSON integer within int64 (Go's int field rejects fractions and exponents).
  Result<int64_t> integer() {
    skip_ws();
    const size_t begin = pos_;
    if (peek() == '-') ++pos_;
    while (!at_end() && ((s_[pos_] >= '0' && s_[pos_] <= '9') || s_[pos_] == '.' || s_[pos_] == 'e' ||
                         s_[pos_] == 'E' || s_[pos_] == '+' || s_[pos_] == '-')) {
      ++pos_;
    }
    const std::string_view text = s_.substr(begin, pos_ - begin);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
      pos_ = begin;
      return error("expected an integer, got '" + std::string(text) + "'");
    }
    return v;
  }

  // Skips any JSON value. Nesting is bounded by the input length.
  Status skip_value() {
    skip_ws();
    const char c = peek();
    if (c == '"') return string().status();
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      if (consume(close)) return Status::ok();
      for (;;) {
        if (c == '{') {
          if (auto k = string(); !k.is_ok()) return k.status();
          if (!consume(':')) return error("expected ':'");
        }
        if (Status s = skip_value(); !s.is_ok()) return s;
        if (consume(close)) return Status::ok();
        if (!consume(',')) return error("expected ',' or a closing bracket");
      }
    }
    if (consume_literal("true") || consume_literal("false") || consume_literal("null")) return Status::ok();
    const size_t begin = pos_;
    if (peek() == '-') ++pos_;
    while (!at_end() && std::string_view("0123456789.eE+-").find(s_[pos_]) != std::string_view::npos) ++pos_;
    if (pos_ == begin) return error("expected a JSON value");
    return Status::ok();
  }

 private:
  Result<uint32_t> hex4() {
    if (pos_ + 4 > s_.size()) return error("short \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      const size_t d = std::string_view(kHex).find(static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c));
      if (d == std::string_view::npos) return error("bad hex digit in \\u escape");
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return v;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '<': case '>': case '&': append_u_escape(out, c); break;
        default:
          if (c < 0x20) append_u_escape(out, c);
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    const std::string_view seq = text.substr(i, n);
    if (seq == "\xE2\x80\xA8") out += "\\u2028";
    else if (seq == "\xE2\x80\xA9") out += "\\u2029";
    else out += seq;
    i += n;
  }
  out += '"';
  return out;
}

std::string asset_to_json(const Asset& a) {
  return "{\"AppraisedValue\":" + std::to_string(a.appraised_value) + ",\"Color\":" + json_quote(a.color) +
         ",\"ID\":" + json_quote(a.id) + ",\"Owner\":" + json_quote(a.owner) +
         ",\"Size\":" + std::to_string(a.size) + "}";
}

Result<Asset> asset_from_json(std::string_view json) {
  Reader r(json);
  Asset asset;
  if (!r.consume('{')) return r.error("expected '{'");
  if (!r.consume('}')) {
    for (;;) {
      auto key = r.string();
      if (!key.is_ok()) return key.status();
      if (!r.consume(':')) return r.error("expected ':'");
      r.skip_ws();
      const bool is_null = r.consume_literal("null");
      std::string* str_field = iequals(*key, "Color") ? &asset.color
                               : iequals(*key, "ID")  ? &asset.id
                               : iequals(*key, "Owner") ? &asset.owner
                                                        : nullptr;
      int64_t* int_field = iequals(*key, "AppraisedValue") ? &asset.appraised_value
                           : iequals(*key, "Size")         ? &asset.size
                                                           : nullptr;
      if (is_null) {
        // Go leaves the field as it was.
      } else if (str_field != nullptr) {
        auto v = r.string();
        if (!v.is_ok()) return v.status();
        *str_field = std::move(*v);
      } else if (int_field != nullptr) {
        auto v = r.integer();
        if (!v.is_ok()) return v.status();
        *int_field = *v;
      } else if (Status s = r.skip_value(); !s.is_ok()) {
        return s;
      }
      if (r.consume('}')) break;
      if (!r.consume(',')) return r.error("expected ',' or '}'");
    }
  }
  r.skip_ws();
  if (!r.at_end()) return r.error("trailing data after the object");
  return asset;
}

}  // namespace fabsim::chaincode
