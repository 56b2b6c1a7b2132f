#include "model/chaincode/kvstore.h"

#include "core/crypto/sha256.h"

#include <charconv>
#include <utility>

namespace fabsim::chaincode {

namespace {

Result<std::string> percent_decode(const std::string& field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out += field[i];
      continue;
    }
    const int hi = i + 2 < field.size() ? crypto::hex_value(field[i + 1]) : -1;
    const int lo = i + 2 < field.size() ? crypto::hex_value(field[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::invalid_argument("'%' at offset " + std::to_string(i) + " needs two hex digits");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (size_t pos; (pos = s.find(sep, begin)) != std::string::npos; begin = pos + 1) {
    parts.push_back(s.substr(begin, pos - begin));
  }
  parts.push_back(s.substr(begin));
  return parts;
}

Result<uint64_t> parse_limit(const std::string& text) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::invalid_argument("range limit '" + text + "' is not a non-negative integer");
  }
  return v;
}

// Decodes every field of `fields` in place.
Status decode_all(std::vector<std::string>& fields) {
  for (auto& f : fields) {
    auto d = percent_decode(f);
    if (!d.is_ok()) return d.status();
    f = std::move(*d);
  }
  return Status::ok();
}

std::string payload_line(const QueryResult& r) { return r.key + "=" + r.value + "\n"; }

// Runs one operation; appends its payload.
Status run_op(ChaincodeStub& stub, const KvOp& op, std::string* payload) {
  switch (op.kind) {
    case KvOp::Kind::kGet: {
      auto v = stub.get_state(op.key);
      if (!v.is_ok()) return v.status();
      *payload += v->value_or("");
      *payload += '\n';
      return Status::ok();
    }
    case KvOp::Kind::kPut:
      return stub.put_state(op.key, op.value);
    case KvOp::Kind::kDel:
      return stub.del_state(op.key);
    case KvOp::Kind::kRange: {
      auto itr = stub.get_state_by_range(op.start_key, op.end_key);
      if (!itr.is_ok()) return itr.status();
      StateQueryIterator* it = *itr;
      // Bounded by the limit, or by the range itself (the peer stops at its end).
      for (uint64_t n = 0; (!op.limit.has_value() || n < *op.limit) && it->has_next(); ++n) {
        auto r = it->next();
        if (!r.is_ok()) return r.status();
        *payload += payload_line(*r);
      }
      it->close();
      return Status::ok();
    }
  }
  return Status::internal("unreachable kvstore operation kind");
}

ChaincodeResponse arg_count_error(const std::string& function, const std::string& expected, size_t got) {
  return ChaincodeResponse::error("kvstore: " + function + " expects " + expected + " args, got " +
                                  std::to_string(got));
}

ChaincodeResponse run_single(ChaincodeStub& stub, const KvOp& op) {
  std::string payload;
  if (Status s = run_op(stub, op, &payload); !s.is_ok()) return ChaincodeResponse::error("kvstore: " + s.message());
  if (op.kind == KvOp::Kind::kGet) payload.pop_back();  // a single get returns the bare value
  return ChaincodeResponse::success(std::move(payload));
}

}  // namespace

Result<KvOp> parse_kv_op(const std::string& text) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    return Status::invalid_argument("expected OP:ARGS with OP one of get, put, del, range");
  }
  const std::string name = text.substr(0, colon);
  const std::string rest = text.substr(colon + 1);
  KvOp op;
  if (name == "get" || name == "del") {
    op.kind = name == "get" ? KvOp::Kind::kGet : KvOp::Kind::kDel;
    auto key = percent_decode(rest);
    if (!key.is_ok()) return key.status();
    op.key = std::move(*key);
    return op;
  }
  if (name == "put") {
    std::vector<std::string> kv = split(rest, '=');
    if (kv.size() != 2) return Status::invalid_argument("put needs exactly one '=': put:KEY=VALUE");
    if (Status s = decode_all(kv); !s.is_ok()) return s;
    op.kind = KvOp::Kind::kPut;
    op.key = std::move(kv[0]);
    op.value = std::move(kv[1]);
    return op;
  }
  if (name == "range") {
    std::vector<std::string> f = split(rest, ':');
    if (f.size() != 2 && f.size() != 3) {
      return Status::invalid_argument("range needs range:START:END or range:START:END:LIMIT");
    }
    if (f.size() == 3) {
      auto limit = parse_limit(f[2]);
      if (!limit.is_ok()) return limit.status();
      op.limit = *limit;
      f.pop_back();
    }
    if (Status s = decode_all(f); !s.is_ok()) return s;
    op.kind = KvOp::Kind::kRange;
    op.start_key = std::move(f[0]);
    op.end_key = std::move(f[1]);
    return op;
  }
  return Status::invalid_argument("unknown operation '" + name + "' (expected get, put, del or range)");
}

std::vector<FunctionSpec> KvstoreChaincode::functions() const {
  constexpr const char* kCount = "a wrong argument count";
  return {
      {"get", {"key"}, 0, false, "R key; payload: the value (empty when absent)", kCount},
      {"put", {"key", "value"}, 0, false, "W key (an empty value deletes it)", kCount},
      {"del", {"key"}, 0, false, "W key (delete)", kCount},
      {"range", {"start", "end", "limit"}, 1, false,
       "range query over [start, end) (empty = open), reading at most limit results; payload: key=value lines",
       "a wrong argument count; a limit that is not a whole number"},
      {"multi", {"op"}, 0, true,
       "each op in order: get:KEY, put:KEY=VALUE, del:KEY, range:START:END[:LIMIT] (fields percent-decoded); "
       "payload: the gets' values and the ranges' lines",
       "an op that does not parse (then nothing runs)"},
  };
}

ChaincodeResponse KvstoreChaincode::init(ChaincodeStub&, const std::vector<std::string>&) {
  return ChaincodeResponse::success();
}

ChaincodeResponse KvstoreChaincode::invoke(ChaincodeStub& stub, const std::string& function,
                                           const std::vector<std::string>& args) {
  KvOp op;
  if (function == "get" || function == "del") {
    if (args.size() != 1) return arg_count_error(function, "1", args.size());
    op.kind = function == "get" ? KvOp::Kind::kGet : KvOp::Kind::kDel;
    op.key = args[0];
    return run_single(stub, op);
  }
  if (function == "put") {
    if (args.size() != 2) return arg_count_error(function, "2", args.size());
    op.kind = KvOp::Kind::kPut;
    op.key = args[0];
    op.value = args[1];
    return run_single(stub, op);
  }
  if (function == "range") {
    if (args.size() != 2 && args.size() != 3) return arg_count_error(function, "2 or 3", args.size());
    op.kind = KvOp::Kind::kRange;
    op.start_key = args[0];
    op.end_key = args[1];
    if (args.size() == 3) {
      auto limit = parse_limit(args[2]);
      if (!limit.is_ok()) return ChaincodeResponse::error("kvstore: range: " + limit.status().message());
      op.limit = *limit;
    }
    return run_single(stub, op);
  }
  if (function == "multi") {
    std::vector<KvOp> script;
    script.reserve(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      auto parsed = parse_kv_op(args[i]);
      if (!parsed.is_ok()) {
        return ChaincodeResponse::error("kvstore: multi: op " + std::to_string(i) + " \"" + args[i] +
                                        "\": " + parsed.status().message());
      }
      script.push_back(std::move(*parsed));
    }
    std::string payload;
    for (size_t i = 0; i < script.size(); ++i) {
      if (Status s = run_op(stub, script[i], &payload); !s.is_ok()) {
        return ChaincodeResponse::error("kvstore: multi: op " + std::to_string(i) + " \"" + args[i] +
                                        "\" failed: " + s.message());
      }
    }
    return ChaincodeResponse::success(std::move(payload));
  }
  return ChaincodeResponse::error("kvstore: unknown function '" + function +
                                  "' (expected get, put, del, range or multi)");
}

}  // namespace fabsim::chaincode
