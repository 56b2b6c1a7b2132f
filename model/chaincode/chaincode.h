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

#include <cstddef>
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

// One function a chaincode kind offers: how a transaction may call it (a scenario's
// workload is checked against it when it loads) and what it does (docs/chaincodes.md).
struct FunctionSpec {
  std::string name;
  std::vector<std::string> args;  // argument names, in order
  size_t optional = 0;            // how many of the last `args` may be left out
  bool variadic = false;          // the last argument repeats, any number of times (0 too)
  std::string effect;             // what it reads (R) and writes (W), and its payload
  std::string failures;           // how it fails (an error response, status 500)

  size_t min_args() const { return variadic ? args.size() - 1 : args.size() - optional; }
  // SIZE_MAX when variadic.
  size_t max_args() const { return variadic ? SIZE_MAX : args.size(); }
  bool accepts(size_t n) const { return n >= min_args() && n <= max_args(); }
  // "range(start, end[, limit])", "multi(op...)".
  std::string signature() const;
};

// "from, to, amount" -> {"from", "to", "amount"}; "" -> {}.
std::vector<std::string> split_arg_names(const char* names);

class Chaincode {
 public:
  virtual ~Chaincode() = default;
  // Every function invoke() accepts (aliases included), in a fixed order.
  virtual std::vector<FunctionSpec> functions() const = 0;
  // Called for the chaincode's initialisation transaction.
  virtual ChaincodeResponse init(ChaincodeStub& stub, const std::vector<std::string>& args) = 0;
  // Called for every other transaction.
  virtual ChaincodeResponse invoke(ChaincodeStub& stub, const std::string& function,
                                   const std::vector<std::string>& args) = 0;
};

}  // namespace fabsim::chaincode
