#include "model/chaincode/registry.h"

#include <utility>

#include "core/assert.h"
#include "model/chaincode/asset.h"
#include "model/chaincode/kvstore.h"
#include "model/chaincode/smallbank.h"

namespace fabsim::chaincode {

ChaincodeRegistry ChaincodeRegistry::builtin() {
  ChaincodeRegistry r;
  Status s = r.add("asset", [] { return std::make_unique<AssetChaincode>(); });
  FABSIM_ASSERT(s.is_ok());
  s = r.add("kvstore", [] { return std::make_unique<KvstoreChaincode>(); });
  FABSIM_ASSERT(s.is_ok());
  s = r.add("smallbank", [] { return std::make_unique<SmallbankChaincode>(); });
  FABSIM_ASSERT(s.is_ok());
  return r;
}

Status ChaincodeRegistry::add(std::string kind, ChaincodeFactory factory) {
  if (kind.empty()) return Status::invalid_argument("chaincode kind must not be empty");
  if (!factory) return Status::invalid_argument("chaincode kind '" + kind + "' has no factory");
  if (contains(kind)) return Status::already_exists("chaincode kind '" + kind + "' is already registered");
  factories_.emplace(std::move(kind), std::move(factory));
  return Status::ok();
}

Result<std::unique_ptr<Chaincode>> ChaincodeRegistry::make(std::string_view kind) const {
  auto it = factories_.find(kind);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [k, f] : factories_) known += (known.empty() ? "" : ", ") + k;
    return Status::not_found("unknown chaincode kind '" + std::string(kind) + "' (known kinds: " + known + ")");
  }
  std::unique_ptr<Chaincode> cc = it->second();
  FABSIM_ASSERT(cc != nullptr);
  return cc;
}

std::vector<std::string> ChaincodeRegistry::kinds() const {
  std::vector<std::string> out;
  out.reserve(factories_.size());
  for (const auto& [k, f] : factories_) out.push_back(k);
  return out;
}

Result<std::vector<FunctionSpec>> ChaincodeRegistry::functions(std::string_view kind) const {
  auto cc = make(kind);
  if (!cc.is_ok()) return cc.status();
  return (*cc)->functions();
}

}  // namespace fabsim::chaincode
