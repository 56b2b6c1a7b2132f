// asset: the asset-transfer chaincode in the spirit of fabric-samples
// asset-transfer-basic/chaincode-go (contract API). One key per asset: key = asset ID,
// value = the asset's JSON (asset_json.h). Responses follow fabric-contract-api-go: an
// error becomes a 500 response carrying the error text; a string result is the payload
// as is, a bool is "true"/"false", a struct or slice is its JSON, and a nil result (an
// empty GetAllAssets) is an empty payload.
//
// Functions, with their reads (R) and writes (W):
//   InitLedger()                                   W asset1..asset6 (the sample's six)
//   CreateAsset(id, color, size, owner, value)     R id (must be absent)   W id
//   ReadAsset(id)                                  R id; payload = the JSON
//   UpdateAsset(id, color, size, owner, value)     R id (must exist)       W id
//   DeleteAsset(id)                                R id (must exist)       W id (delete)
//   AssetExists(id)                                R id; payload "true"/"false"
//   TransferAsset(id, newOwner)                    R id   W id; payload = the old owner
//   GetAllAssets()                                 range query ("", "") — recorded with
//                                                  start key "\x01" by the shim; payload =
//                                                  JSON array of every asset
// size and value must be decimal integers (Go int). init() does nothing and succeeds.
//
// Ownership: AssetChaincode is stateless; all state goes through the stub. Invariant:
// every value it writes is asset_to_json of an Asset whose ID equals the key.
#pragma once

#include <string>
#include <vector>

#include "model/chaincode/asset_json.h"
#include "model/chaincode/chaincode.h"

namespace fabsim::chaincode {

// The six assets InitLedger writes, in the sample's order.
std::vector<Asset> asset_init_ledger_assets();

class AssetChaincode : public Chaincode {
 public:
  std::vector<FunctionSpec> functions() const override;
  ChaincodeResponse init(ChaincodeStub& stub, const std::vector<std::string>& args) override;
  ChaincodeResponse invoke(ChaincodeStub& stub, const std::string& function,
                           const std::vector<std::string>& args) override;
};

}  // namespace fabsim::chaincode
