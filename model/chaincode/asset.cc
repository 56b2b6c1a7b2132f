#include "model/chaincode/asset.h"

#include <charconv>
#include <cstdint>
#include <utility>

namespace fabsim::chaincode {

namespace {

using Args = std::vector<std::string>;

ChaincodeResponse fail(const std::string& message) { return ChaincodeResponse::error(message); }

Result<int64_t> parse_int_param(const std::string& text, size_t index) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Status::invalid_argument("Error managing parameter param" + std::to_string(index) +
                                    ". Conversion error. Cannot convert passed value " + text + " to int");
  }
  return v;
}

Result<bool> asset_exists(ChaincodeStub& stub, const std::string& id) {
  auto v = stub.get_state(id);
  if (!v.is_ok()) return Status(v.status().code(), "failed to read from world state: " + v.status().message());
  return v->has_value();
}

Result<Asset> read_asset(ChaincodeStub& stub, const std::string& id) {
  auto v = stub.get_state(id);
  if (!v.is_ok()) return Status(v.status().code(), "failed to read from world state: " + v.status().message());
  if (!v->has_value()) return Status::not_found("the asset " + id + " does not exist");
  return asset_from_json(**v);
}

// Builds the asset of CreateAsset/UpdateAsset from (id, color, size, owner, value).
Result<Asset> asset_from_args(const Args& a) {
  auto size = parse_int_param(a[2], 2);
  if (!size.is_ok()) return size.status();
  auto value = parse_int_param(a[4], 4);
  if (!value.is_ok()) return value.status();
  return Asset{*value, a[1], a[0], a[3], *size};
}

ChaincodeResponse put_asset(ChaincodeStub& stub, const Asset& asset, std::string payload = {}) {
  if (Status s = stub.put_state(asset.id, asset_to_json(asset)); !s.is_ok()) {
    return fail("failed to put to world state. " + s.message());
  }
  return ChaincodeResponse::success(std::move(payload));
}

ChaincodeResponse init_ledger(ChaincodeStub& stub, const Args&) {
  for (const Asset& asset : asset_init_ledger_assets()) {
    ChaincodeResponse r = put_asset(stub, asset);
    if (!r.ok()) return r;
  }
  return ChaincodeResponse::success();
}

ChaincodeResponse create_asset(ChaincodeStub& stub, const Args& a) {
  auto asset = asset_from_args(a);
  if (!asset.is_ok()) return fail(asset.status().message());
  auto exists = asset_exists(stub, a[0]);
  if (!exists.is_ok()) return fail(exists.status().message());
  if (*exists) return fail("the asset " + a[0] + " already exists");
  return put_asset(stub, *asset);
}

ChaincodeResponse read_asset_fn(ChaincodeStub& stub, const Args& a) {
  auto asset = read_asset(stub, a[0]);
  if (!asset.is_ok()) return fail(asset.status().message());
  return ChaincodeResponse::success(asset_to_json(*asset));
}

ChaincodeResponse update_asset(ChaincodeStub& stub, const Args& a) {
  auto asset = asset_from_args(a);
  if (!asset.is_ok()) return fail(asset.status().message());
  auto exists = asset_exists(stub, a[0]);
  if (!exists.is_ok()) return fail(exists.status().message());
  if (!*exists) return fail("the asset " + a[0] + " does not exist");
  return put_asset(stub, *asset);
}

ChaincodeResponse delete_asset(ChaincodeStub& stub, const Args& a) {
  auto exists = asset_exists(stub, a[0]);
  if (!exists.is_ok()) return fail(exists.status().message());
  if (!*exists) return fail("the asset " + a[0] + " does not exist");
  if (Status s = stub.del_state(a[0]); !s.is_ok()) return fail(s.message());
  return ChaincodeResponse::success();
}

ChaincodeResponse asset_exists_fn(ChaincodeStub& stub, const Args& a) {
  auto exists = asset_exists(stub, a[0]);
  if (!exists.is_ok()) return fail(exists.status().message());
  return ChaincodeResponse::success(*exists ? "true" : "false");
}

ChaincodeResponse transfer_asset(ChaincodeStub& stub, const Args& a) {
  auto asset = read_asset(stub, a[0]);
  if (!asset.is_ok()) return fail(asset.status().message());
  std::string old_owner = std::move(asset->owner);
  asset->owner = a[1];
  return put_asset(stub, *asset, std::move(old_owner));
}

ChaincodeResponse get_all_assets(ChaincodeStub& stub, const Args&) {
  auto itr = stub.get_state_by_range("", "");
  if (!itr.is_ok()) return fail(itr.status().message());
  StateQueryIterator* it = *itr;
  std::string json;
  // Bounded by the range: the peer reports no more results at its end.
  while (it->has_next()) {
    auto kv = it->next();
    if (!kv.is_ok()) {
      it->close();
      return fail(kv.status().message());
    }
    auto asset = asset_from_json(kv->value);
    if (!asset.is_ok()) {
      it->close();
      return fail(asset.status().message());
    }
    json += json.empty() ? "[" : ",";
    json += asset_to_json(*asset);
  }
  it->close();  // the sample's `defer resultsIterator.Close()`
  if (!json.empty()) json += "]";  // a nil slice marshals to an empty payload
  return ChaincodeResponse::success(std::move(json));
}

struct Function {
  const char* name;
  const char* args;  // argument names, comma-separated: the count is the arity
  ChaincodeResponse (*run)(ChaincodeStub&, const Args&);
  const char* effect;
  const char* failures;
};

constexpr Function kFunctions[] = {
    {"AssetExists", "id", &asset_exists_fn, "R id; payload: true or false", "none"},
    {"CreateAsset", "id, color, size, owner, value", &create_asset, "R id (must be absent); W id",
     "the asset already exists; size or value not an integer"},
    {"DeleteAsset", "id", &delete_asset, "R id (must exist); W id (delete)", "the asset does not exist"},
    {"GetAllAssets", "", &get_all_assets, "range query over every key; payload: a JSON array of the assets",
     "a stored value that is not an asset's JSON"},
    {"InitLedger", "", &init_ledger, "W asset1..asset6 (the sample's six assets)", "none"},
    {"ReadAsset", "id", &read_asset_fn, "R id; payload: the asset's JSON", "the asset does not exist"},
    {"TransferAsset", "id, newOwner", &transfer_asset, "R id; W id; payload: the old owner",
     "the asset does not exist"},
    {"UpdateAsset", "id, color, size, owner, value", &update_asset, "R id (must exist); W id",
     "the asset does not exist; size or value not an integer"},
};

}  // namespace

std::vector<Asset> asset_init_ledger_assets() {
  return {
      {300, "blue", "asset1", "Tomoko", 5},  {400, "red", "asset2", "Brad", 5},
      {500, "green", "asset3", "Jin Soo", 10}, {600, "yellow", "asset4", "Max", 10},
      {700, "black", "asset5", "Adriana", 15}, {800, "white", "asset6", "Michel", 15},
  };
}

std::vector<FunctionSpec> AssetChaincode::functions() const {
  std::vector<FunctionSpec> out;
  for (const Function& f : kFunctions) out.push_back({f.name, split_arg_names(f.args), 0, false, f.effect, f.failures});
  return out;
}

ChaincodeResponse AssetChaincode::init(ChaincodeStub&, const std::vector<std::string>&) {
  return ChaincodeResponse::success();
}

ChaincodeResponse AssetChaincode::invoke(ChaincodeStub& stub, const std::string& function,
                                         const std::vector<std::string>& args) {
  for (const Function& f : kFunctions) {
    if (function != f.name) continue;
    const size_t arg_count = split_arg_names(f.args).size();
    if (args.size() != arg_count) {
      return fail("Incorrect number of params. Expected " + std::to_string(arg_count) + ", received " +
                  std::to_string(args.size()));
    }
    return f.run(stub, args);
  }
  return fail("Function " + function + " not found in contract SmartContract");
}

}  // namespace fabsim::chaincode
