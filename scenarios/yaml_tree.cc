#include "scenarios/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include <utf8cpp/utf8.h>

namespace fabsim::scenario {

namespace {

std::string hex_byte(unsigned char u) {
  static const char* kHex = "0123456789abcdef";
  return std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
}

}  // namespace

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    // The valid UTF-8 up to the next byte that is not, with control characters escaped.
    const size_t valid = utf8::find_invalid(text);
    for (const char c : text.substr(0, std::min(valid, text.size()))) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n')
        out += "\\n";
      else if (c == '\r')
        out += "\\r";
      else if (c == '\t')
        out += "\\t";
      else if (u < 0x20 || u == 0x7f)
        out += hex_byte(u);
      else
        out += c;
    }
    if (valid >= text.size()) break;
    out += hex_byte(static_cast<unsigned char>(text[valid]));
    text.remove_prefix(valid + 1);
  }
  return out;
}

std::optional<std::string> utf8_problem(std::string_view text) {
  const size_t at = utf8::find_invalid(text);
  if (at >= text.size()) return std::nullopt;
  return "is not valid UTF-8: byte " + std::to_string(at + 1) + " is " + hex_byte(static_cast<unsigned char>(text[at])) +
         " (got '" + one_line(text) + "')";
}

namespace {

// Every message leaves as one line, whatever the file holds.
Status bad(const std::string& message) { return Status::invalid_argument(one_line(message)); }

// Where a yaml-cpp node starts, in `origin`. Override values have no file position.
Location location_of(const YAML::Mark& mark, uint32_t origin, bool is_file) {
  Location loc;
  loc.origin = origin;
  if (is_file && !mark.is_null()) {
    loc.line = mark.line;
    loc.column = mark.column;
  }
  return loc;
}

std::string_view line_at(std::string_view text, int32_t line) {
  if (line < 0) return {};
  size_t start = 0;
  for (int32_t i = 0; i < line; ++i) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string_view l = text.substr(start, end - start);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

std::string join_path(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

// Converts yaml-cpp's tree into ours. yaml-cpp gives an empty value (`key:` with nothing
// after it) the position of the next token, often on another line; such nodes take
// `fallback` (the key's position) instead.
class Converter {
 public:
  Converter(std::string_view text, uint32_t origin, bool is_file, std::string_view where_prefix)
      : text_(text), origin_(origin), is_file_(is_file), where_prefix_(where_prefix) {}

  // `path` is the node's key path (for messages), "" at the root.
  Status convert(const YAML::Node& in, const Location& fallback, const std::string& path, YamlNode* out) {
    if (++count_ > kMaxYamlNodes)
      return fail(
          fallback, path,
          "the document has more than " + std::to_string(kMaxYamlNodes) + " nodes once its aliases are expanded");
    out->loc = location_of(in.Mark(), origin_, is_file_);
    // yaml-cpp registers an anchor before reading its node, so an alias inside the node it
    // names (`a: &x [*x]`) makes the node its own descendant; expanding it would never end.
    for (const auto& [open, open_path] : open_)
      if (open.is(in))
        return fail(out->loc, open_path, "an alias inside this node refers to the node itself, so it never ends");
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out->kind = YamlNode::Kind::kNull;
        if (!written_null(out->loc)) out->loc = fallback;
        return Status::ok();
      case YAML::NodeType::Scalar:
        if (auto problem = utf8_problem(in.Scalar())) return fail(out->loc, path, "the value " + *problem);
        out->kind = YamlNode::Kind::kScalar;
        out->text = in.Scalar();
        out->plain = in.Tag() == "?";
        return Status::ok();
      case YAML::NodeType::Sequence: {
        out->kind = YamlNode::Kind::kList;
        out->items.reserve(in.size());
        open_.emplace_back(in, path);
        for (const YAML::Node& item : in) {
          out->items.emplace_back();
          const std::string item_path = join_path(path, std::to_string(out->items.size() - 1));
          if (Status s = convert(item, out->loc, item_path, &out->items.back()); !s.is_ok()) return s;
        }
        open_.pop_back();
        return Status::ok();
      }
      case YAML::NodeType::Map: {
        out->kind = YamlNode::Kind::kMap;
        open_.emplace_back(in, path);
        std::map<std::string, size_t, std::less<>> seen;  // key -> its entry: O(log n) per key
        for (auto it = in.begin(); it != in.end(); ++it) {
          const Location key_loc = location_of(it->first.Mark(), origin_, is_file_);
          if (!it->first.IsScalar()) {
            YamlNode k;
            if (Status s = convert(it->first, key_loc, path, &k); !s.is_ok()) return s;
            return fail(key_loc, path, "expected a plain text key (got " + k.describe() + ")");
          }
          const std::string key = it->first.Scalar();
          if (auto problem = utf8_problem(key)) return fail(key_loc, path, "the key " + *problem);
          if (const auto first = seen.find(key); first != seen.end()) {
            const Location& first_loc = out->entries[first->second].key_loc;
            std::string at = first_loc.line >= 0 ? " (first at line " + std::to_string(first_loc.line + 1) + ")" : "";
            return fail(key_loc, path, "duplicate key '" + key + "'" + at);
          }
          seen.emplace(key, out->entries.size());
          YamlEntry e;
          e.key = key;
          e.key_loc = key_loc;
          if (Status s = convert(it->second, key_loc, join_path(path, key), &e.value); !s.is_ok()) return s;
          out->entries.push_back(std::move(e));
        }
        open_.pop_back();
        return Status::ok();
      }
    }
    return fail(fallback, path, "unexpected YAML node");
  }

 private:
  // Whether a null node's position holds an explicit null (~ or null), not a later token.
  bool written_null(const Location& loc) const {
    if (!is_file_ || loc.line < 0) return false;
    const std::string_view l = line_at(text_, loc.line);
    if (static_cast<size_t>(loc.column) > l.size()) return false;
    const std::string_view rest = l.substr(loc.column);
    return rest.starts_with("~") || rest.starts_with("null") || rest.starts_with("Null") || rest.starts_with("NULL");
  }

  Status fail(const Location& loc, const std::string& path, const std::string& message) const {
    std::string where(where_prefix_);
    if (is_file_ && loc.line >= 0) where += ":" + std::to_string(loc.line + 1) + ":" + std::to_string(loc.column + 1);
    return bad(where + ": " + (path.empty() ? "" : path + ": ") + message);
  }

  std::string_view text_;
  uint32_t origin_;
  bool is_file_;
  std::string_view where_prefix_;
  size_t count_ = 0;
  // The lists and maps being converted, outermost first, with their paths (an error ends
  // the conversion, so it leaves them open).
  std::vector<std::pair<YAML::Node, std::string>> open_;
};

// Counts the documents of a stream, noting where each starts. yaml-cpp 0.7's LoadAll never
// ends on some malformed input — a lone ',' makes each call parse an empty document without
// consuming the token, and memory grows until the process is killed (upstream issue #1040,
// fixed after 0.7 by pull request #1319) — so documents are counted here, and a document
// that starts where the previous empty one did is a parser that has stopped moving.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { note(m, true); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m, false); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override {
    note(m, false);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    note(m, false);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    note(m, false);
  }
  void OnMapEnd() override {}

  void start_document() { started_ = false; }
  const YAML::Mark& root() const { return root_; }  // where the document's root node starts
  bool root_is_null() const { return root_null_; }

 private:
  void note(const YAML::Mark& m, bool is_null) {
    if (started_) return;
    started_ = true;
    root_ = m;
    root_null_ = is_null;
  }
  bool started_ = false;
  YAML::Mark root_;
  bool root_null_ = false;
};

// Parses `text` as at most one YAML document into `out` (null when there is none). yaml-cpp
// reports errors by exception; they stop here.
Status parse_yaml(std::string_view text, uint32_t origin, bool is_file, std::string_view where_prefix, YamlNode* out) {
  auto where = [&](const YAML::Mark& mark) {
    std::string w(where_prefix);
    if (is_file && !mark.is_null()) w += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    return w;
  };
  try {
    const std::string input(text);
    size_t documents = 0;
    YAML::Mark second;
    {
      std::istringstream stream(input);
      YAML::Parser parser(stream);
      DocumentCounter counter;
      std::optional<YAML::Mark> empty_before;  // the start of the previous document, when it was empty
      for (counter.start_document(); parser.HandleNextDocument(counter); counter.start_document()) {
        const YAML::Mark& m = counter.root();
        if (counter.root_is_null() && empty_before && empty_before->pos == m.pos) {
          const std::string at = m.pos >= 0 && static_cast<size_t>(m.pos) < text.size()
                                     ? " '" + std::string(1, text[static_cast<size_t>(m.pos)]) + "'"
                                     : "";
          return bad(where(m) + ": malformed YAML: unexpected" + at);
        }
        empty_before = counter.root_is_null() ? std::optional<YAML::Mark>(m) : std::nullopt;
        if (++documents == 2) second = m;
      }
    }
    if (documents > 1)
      return bad(where(second) + ": expected one YAML document (found " + std::to_string(documents) + ")");
    Location start;
    start.origin = origin;
    if (is_file) start.line = start.column = 0;
    if (documents == 0) {
      *out = YamlNode();
      out->loc = start;
      return Status::ok();
    }
    Converter c(text, origin, is_file, where_prefix);
    return c.convert(YAML::Load(input), start, "", out);
  } catch (const YAML::Exception& e) {
    return bad(where(e.mark) + ": malformed YAML: " + e.msg);
  } catch (const std::exception& e) {
    return bad(std::string(where_prefix) + ": cannot parse YAML: " + e.what());
  }
}

bool parse_index(std::string_view s, size_t* out) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string_view::npos) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

struct PathSegment {
  std::string text;
  bool quoted = false;
};

// Splits "a.b.\"c.d\".0" into segments; nullopt on an empty or badly quoted segment.
std::optional<std::vector<PathSegment>> split_path(std::string_view path) {
  std::vector<PathSegment> out;
  size_t i = 0;
  while (true) {
    PathSegment seg;
    if (i < path.size() && path[i] == '"') {
      const size_t close = path.find('"', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      seg.text = std::string(path.substr(i + 1, close - i - 1));
      seg.quoted = true;
      i = close + 1;
      if (i < path.size() && path[i] != '.') return std::nullopt;
    } else {
      const size_t dot = path.find('.', i);
      const size_t end = dot == std::string_view::npos ? path.size() : dot;
      seg.text = std::string(path.substr(i, end - i));
      i = end;
    }
    if (seg.text.empty()) return std::nullopt;
    out.push_back(std::move(seg));
    if (i >= path.size()) return out;
    ++i;                                        // the dot
    if (i >= path.size()) return std::nullopt;  // a trailing dot
  }
}

std::string join(const std::vector<PathSegment>& segs, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i)
    out += (i > from ? "." : "") + segs[i].text;
  return out;
}

}  // namespace

const YamlEntry* YamlNode::find_entry(std::string_view key) const {
  if (kind != Kind::kMap) return nullptr;
  for (const YamlEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

const YamlNode* YamlNode::find(std::string_view key) const {
  const YamlEntry* e = find_entry(key);
  return e ? &e->value : nullptr;
}

std::string YamlNode::describe() const {
  switch (kind) {
    case Kind::kNull: return "nothing";
    case Kind::kScalar: return "'" + text + "'";
    case Kind::kMap: return "a map";
    case Kind::kList: return "a list";
  }
  return "?";
}

Result<YamlDocument> YamlDocument::parse(std::string text, std::string display_name) {
  YamlDocument doc;
  doc.origins_.push_back({std::move(display_name), true});
  doc.text_ = std::move(text);
  if (Status s = parse_yaml(doc.text_, 0, true, doc.origins_[0].name, &doc.root_); !s.is_ok()) return s;
  return doc;
}

std::string YamlDocument::where(const Location& loc) const {
  const Origin& o = origins_.at(loc.origin);
  if (!o.is_file || loc.line < 0) return o.name;
  return o.name + ":" + std::to_string(loc.line + 1) + ":" + std::to_string(loc.column + 1);
}

Status YamlDocument::error(const Location& loc, std::string_view path, std::string_view message) const {
  std::string m = where(loc) + ": ";
  if (!path.empty()) m += std::string(path) + ": ";
  m += message;
  return bad(std::move(m));
}

std::string_view YamlDocument::source_line(const Location& loc) const {
  if (!origins_.at(loc.origin).is_file) return {};
  return line_at(text_, loc.line);
}

Status YamlDocument::apply_override(std::string_view assignment) {
  const uint32_t origin = static_cast<uint32_t>(origins_.size());
  origins_.push_back({"--set " + std::string(assignment), false});
  const std::string& name = origins_.back().name;
  Location here;
  here.origin = origin;
  if (auto problem = utf8_problem(assignment)) return bad(name + ": " + *problem);
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos) return bad(name + ": expected path=value, e.g. --set ordering.batch_timeout=1s");
  const auto segs = split_path(assignment.substr(0, eq));
  if (!segs)
    return bad(name +
               ": expected a path of keys and list indices separated by '.' "
               "(e.g. workload.0.rate), with no empty key");
  YamlNode value;
  if (Status s = parse_yaml(assignment.substr(eq + 1), origin, false, name, &value); !s.is_ok()) return s;

  YamlNode* node = &root_;
  if (node->kind == YamlNode::Kind::kNull) {
    node->kind = YamlNode::Kind::kMap;
    node->loc = here;
  }
  size_t i = 0;
  while (i < segs->size()) {
    const std::string walked = i == 0 ? std::string("the document") : join(*segs, 0, i);
    YamlNode* next = nullptr;
    size_t consumed = 1;
    if (node->kind == YamlNode::Kind::kNull) {  // `key:` with nothing: becomes what the path needs
      size_t index = 0;
      node->kind =
          !(*segs)[i].quoted && parse_index((*segs)[i].text, &index) ? YamlNode::Kind::kList : YamlNode::Kind::kMap;
      node->loc = here;
    }
    if (node->kind == YamlNode::Kind::kMap) {
      // The longest run of segments that names an existing key (keys may hold dots).
      for (size_t j = (*segs)[i].quoted ? i + 1 : segs->size(); j > i && !next; --j) {
        bool has_quoted = false;
        for (size_t k = i + 1; k < j; ++k)
          has_quoted |= (*segs)[k].quoted;
        if (has_quoted) continue;
        for (YamlEntry& e : node->entries)
          if (e.key == join(*segs, i, j)) {
            next = &e.value;
            consumed = j - i;
            break;
          }
      }
      if (!next) {
        YamlEntry e;
        e.key = (*segs)[i].text;
        e.key_loc = here;
        e.value.loc = here;
        node->entries.push_back(std::move(e));
        next = &node->entries.back().value;
      }
    } else if (node->kind == YamlNode::Kind::kList) {
      size_t index = 0;
      if ((*segs)[i].quoted || !parse_index((*segs)[i].text, &index))
        return bad(name + ": " + walked + ": is a list; expected an index, not '" + (*segs)[i].text + "'");
      if (index > node->items.size())
        return bad(name + ": " + join(*segs, 0, i + 1) + ": index " + std::to_string(index) +
                   " is out of range (the list has " + std::to_string(node->items.size()) +
                   (node->items.size() == 1 ? " item" : " items") + "; index " + std::to_string(node->items.size()) +
                   " appends)");
      if (index == node->items.size()) {
        node->items.emplace_back();
        node->items.back().loc = here;
      }
      next = &node->items[index];
    } else {
      return bad(name + ": " + walked + ": is a single value (" + node->describe() + "); it has no key '" +
                 (*segs)[i].text + "'");
    }
    node = next;
    i += consumed;
  }
  *node = std::move(value);
  return Status::ok();
}

}  // namespace fabsim::scenario
