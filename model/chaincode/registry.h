// ChaincodeRegistry: makes chaincodes by kind name ("kvstore", "smallbank", "asset"), as a
// scenario's `chaincodes: [{kind: ...}]` names them. A plain value: builtin() returns a
// registry holding the shipped kinds; tests and scenarios may add their own.
//
// Invariants: kind names are unique; kinds() is sorted, so listing them is deterministic.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/chaincode/chaincode.h"

namespace fabsim::chaincode {

using ChaincodeFactory = std::function<std::unique_ptr<Chaincode>()>;

class ChaincodeRegistry {
 public:
  // kvstore, smallbank and asset.
  static ChaincodeRegistry builtin();

  // already_exists if `kind` is taken; invalid_argument for an empty kind or factory.
  Status add(std::string kind, ChaincodeFactory factory);
  // A new instance of `kind`; not_found (listing the known kinds) for an unknown kind.
  Result<std::unique_ptr<Chaincode>> make(std::string_view kind) const;
  bool contains(std::string_view kind) const { return factories_.find(kind) != factories_.end(); }
  // The registered kinds, sorted.
  std::vector<std::string> kinds() const;
  // The functions of `kind` (Chaincode::functions); not_found for an unknown kind.
  Result<std::vector<FunctionSpec>> functions(std::string_view kind) const;

 private:
  std::map<std::string, ChaincodeFactory, std::less<>> factories_;
};

}  // namespace fabsim::chaincode
