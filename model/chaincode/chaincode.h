// The deterministic chaincode interface: a chaincode is a pure function of (committed
// state seen through the stub, function, args) — no clocks, no randomness, no I/O — so
// every endorser that simulates the same proposal against the same state produces the
// same response and the same read-write set.
//
// Mirrors Fabric's shim.Chaincode (Init/Invoke returning a peer.Response): status 200 is
// success (shim.OK), 500 is an error (shim.ERROR); anything >= 400 is an error to the
// endorser (shim.ERRORTHRESHOLD). A chaincode reports expected failures (bad arguments,
// insufficient funds, a missing asset) as an error response, never by crashing.
//
// Ownership: a Chaincode instance holds no per-transaction state; the stub passed in
// belongs to the caller and is valid only during the call.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/chaincode/chaincode_stub.h"

namespace fabsim::chaincode {

inline constexpr int32_t kStatusOk = 200;              // shim.OK
inline constexpr int32_t kStatusErrorThreshold = 400;  // shim.ERRORTHRESHOLD
inline constexpr int32_t kStatusError = 500;           // shim.ERROR

struct ChaincodeResponse {
  int32_t status = kStatusOk;
  std::string message;
  std::string payload;

  static ChaincodeResponse success(std::string payload = {}) { return {kStatusOk, {}, std::move(payload)}; }
  static ChaincodeResponse error(std::string message) { return {kStatusError, std::move(message), {}}; }
  bool ok() const { return status < kStatusErrorThreshold; }
  bool operator==(const ChaincodeResponse&) const = default;
};

class Chaincode {
 public:
  virtual ~Chaincode() = default;
  // Called for the chaincode's initialisation transaction.
  virtual ChaincodeResponse init(ChaincodeStub& stub, const std::vector<std::string>& args) = 0;
  // Called for every other transaction.
  virtual ChaincodeResponse invoke(ChaincodeStub& stub, const std::string& function,
                                   const std::vector<std::string>& args) = 0;
};

}  // namespace fabsim::chaincode
