#include "scenarios/field_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/units.h"
#include "scenarios/suggest.h"

namespace fabsim::scenario {

std::string child_path(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return std::string(path) + "." + std::string(key);
}

std::string child_path(std::string_view path, size_t index) { return child_path(path, std::to_string(index)); }

Status FieldReader::map(const YamlNode& n, std::string_view path, const std::vector<std::string>& allowed) const {
  if (n.kind == YamlNode::Kind::kNull) return Status::ok();
  if (n.kind != YamlNode::Kind::kMap) return error(n, path, "expected a map (got " + n.describe() + ")");
  for (const YamlEntry& e : n.entries) {
    bool known = false;
    for (const std::string& a : allowed)
      known |= a == e.key;
    if (!known) return error_at(e.key_loc, path, "unknown key '" + e.key + "'" + suggestion(e.key, allowed));
  }
  return Status::ok();
}

Status FieldReader::list(const YamlNode& n, std::string_view path) const {
  if (n.kind == YamlNode::Kind::kNull || n.kind == YamlNode::Kind::kList) return Status::ok();
  return error(n, path, "expected a list (got " + n.describe() + ")");
}

Result<const YamlNode*> FieldReader::required(const YamlNode& m, std::string_view path, std::string_view key,
                                              std::string_view what) const {
  if (const YamlNode* v = m.find(key)) return v;
  return error(m, path, "missing key '" + std::string(key) + "' (" + std::string(what) + ")");
}

Status FieldReader::scalar(const YamlNode& n, std::string_view path, std::string_view what) const {
  if (n.kind == YamlNode::Kind::kScalar) return Status::ok();
  return error(n, path, "expected " + std::string(what) + " (got " + n.describe() + ")");
}

Status FieldReader::text(const YamlNode& n, std::string_view path, std::string* out) const {
  SCENARIO_TRY(scalar(n, path, "a text value"));
  if (n.text.empty()) return error(n, path, "expected a non-empty text value (got '')");
  *out = n.text;
  return Status::ok();
}

Status FieldReader::boolean(const YamlNode& n, std::string_view path, bool* out) const {
  SCENARIO_TRY(scalar(n, path, "true or false"));
  if (n.text == "true")
    *out = true;
  else if (n.text == "false")
    *out = false;
  else
    return error(n, path, "expected true or false (got '" + n.text + "')");
  return Status::ok();
}

Status FieldReader::whole(const YamlNode& n, std::string_view path, uint64_t min, uint64_t max, uint64_t* out) const {
  const std::string what = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  SCENARIO_TRY(scalar(n, path, what));
  const std::string& t = n.text;
  uint64_t v = 0;
  const bool digits = !t.empty() && t.find_first_not_of("0123456789") == std::string::npos;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (!digits || ec != std::errc() || ptr != t.data() + t.size() || v < min || v > max)
    return error(n, path, "expected " + what + " (got '" + t + "')");
  *out = v;
  return Status::ok();
}

Status FieldReader::whole32(const YamlNode& n, std::string_view path, uint32_t min, uint32_t max, uint32_t* out) const {
  uint64_t v = 0;
  SCENARIO_TRY(whole(n, path, min, max, &v));
  *out = static_cast<uint32_t>(v);
  return Status::ok();
}

Status FieldReader::number(const YamlNode& n, std::string_view path, double min, double max, bool max_exclusive,
                           double* out) const {
  auto fmt = [](double d) {
    std::string s = std::to_string(d);
    while (s.size() > 1 && s.back() == '0')
      s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  const std::string what =
      std::isinf(max) ? "a number >= " + fmt(min)
                      : "a number from " + fmt(min) + (max_exclusive ? " up to (not including) " : " to ") + fmt(max);
  SCENARIO_TRY(scalar(n, path, what));
  const std::string& t = n.text;
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  const bool ok = !t.empty() && ec == std::errc() && ptr == t.data() + t.size() && std::isfinite(v) && v >= min &&
                  (max_exclusive ? v < max : v <= max);
  if (!ok) return error(n, path, "expected " + what + " (got '" + t + "')");
  *out = v;
  return Status::ok();
}

Status FieldReader::seed(const YamlNode& n, std::string_view path, uint64_t* out) const {
  SCENARIO_TRY(scalar(n, path, "a seed (a whole number from 0 to 18446744073709551615)"));
  auto v = parse_seed(n.text);
  if (!v) return error(n, path, v.status().message());
  *out = *v;
  return Status::ok();
}

Status FieldReader::duration(const YamlNode& n, std::string_view path, Sign sign, Duration* out) const {
  SCENARIO_TRY(scalar(n, path, "a duration such as 500ms or 2s"));
  std::string_view t = n.text;
  const bool negative = t.starts_with("-");
  if (negative) t.remove_prefix(1);
  auto d = parse_duration(t);
  if (!d) return error(n, path, parse_duration(n.text).status().message());
  if (negative && sign != Sign::kAny)
    return error(n, path,
                 std::string("expected a ") + (sign == Sign::kPositive ? "positive" : "non-negative") +
                     " duration; durations here cannot be negative (got '" + n.text + "')");
  if (sign == Sign::kPositive && d->ns == 0)
    return error(n, path, "expected a positive duration (got '" + n.text + "')");
  *out = negative ? Duration::zero() - *d : *d;
  return Status::ok();
}

Status FieldReader::size(const YamlNode& n, std::string_view path, uint64_t max, uint64_t* out) const {
  SCENARIO_TRY(scalar(n, path, "a size such as 2MiB or 512KB"));
  auto v = parse_size(n.text);
  if (!v) return error(n, path, v.status().message());
  if (*v == 0) return error(n, path, "expected a size above 0 (got '" + n.text + "')");
  if (*v > max)
    return error(n, path,
                 "expected a size of at most " + std::to_string(max) + " bytes (got '" + n.text +
                     "' = " + std::to_string(*v) + " bytes)");
  *out = *v;
  return Status::ok();
}

Status FieldReader::rate(const YamlNode& n, std::string_view path, double* out) const {
  SCENARIO_TRY(scalar(n, path, "a rate such as 200tps"));
  auto v = parse_rate(n.text);
  if (!v) return error(n, path, v.status().message());
  if (!(*v > 0)) return error(n, path, "expected a rate above 0 (got '" + n.text + "')");
  *out = *v;
  return Status::ok();
}

Status FieldReader::bandwidth(const YamlNode& n, std::string_view path, uint64_t* out) const {
  SCENARIO_TRY(scalar(n, path, "a bandwidth such as 1Gbps"));
  auto v = parse_bandwidth(n.text);
  if (!v) return error(n, path, v.status().message());
  *out = *v;
  return Status::ok();
}

Status FieldReader::one_of(const YamlNode& n, std::string_view path, const std::vector<std::string>& names,
                           size_t* index) const {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i)
    list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  SCENARIO_TRY(scalar(n, path, list));
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == n.text) {
      *index = i;
      return Status::ok();
    }
  std::string hint;
  if (auto c = closest(n.text, names)) hint = "; did you mean '" + *c + "'?";
  return error(n, path, "expected " + list + " (got '" + n.text + "'" + hint + ")");
}

Status FieldReader::text_list(const YamlNode& n, std::string_view path, std::vector<std::string>* out,
                              std::vector<const YamlNode*>* nodes) const {
  out->clear();
  if (nodes) nodes->clear();
  if (n.kind == YamlNode::Kind::kScalar) {
    out->emplace_back();
    SCENARIO_TRY(text(n, path, &out->back()));
    if (nodes) nodes->push_back(&n);
    return Status::ok();
  }
  if (n.kind != YamlNode::Kind::kList)
    return error(n, path, "expected a name or a list of names (got " + n.describe() + ")");
  for (size_t i = 0; i < n.items.size(); ++i) {
    out->emplace_back();
    SCENARIO_TRY(text(n.items[i], child_path(path, i), &out->back()));
    if (nodes) nodes->push_back(&n.items[i]);
  }
  return Status::ok();
}

Location FieldReader::position_in_scalar(const YamlNode& n, size_t pos) const {
  const std::string_view line = doc_.source_line(n.loc);
  if (line.empty() || n.kind != YamlNode::Kind::kScalar || n.loc.column < 0) return n.loc;
  size_t start = static_cast<size_t>(n.loc.column);
  if (start < line.size() && (line[start] == '"' || line[start] == '\'')) ++start;
  pos = std::min(pos, n.text.size());
  if (start + pos > line.size() || line.substr(start, pos) != std::string_view(n.text).substr(0, pos)) return n.loc;
  Location l = n.loc;
  l.column = static_cast<int32_t>(start + pos);
  return l;
}

}  // namespace fabsim::scenario
