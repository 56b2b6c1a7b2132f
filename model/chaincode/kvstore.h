// kvstore: the key-value chaincode, and the tool for scripting exact read-write-set shapes.
//
// Functions (args are strings; a wrong count or malformed argument is a 500 response):
//   get(key)                     GetState; payload = the value ("" when absent).
//   put(key, value)              PutState (an empty value deletes, as in Fabric).
//   del(key)                     DelState.
//   range(start, end[, limit])   GetStateByRange over [start, end) ("" = open); reads at
//                                most `limit` results (all when omitted), then closes the
//                                iterator. Payload: one "key=value\n" line per result read.
//   multi(op...)                 each arg is one operation, run in order:
//                                  get:KEY
//                                  put:KEY=VALUE
//                                  del:KEY
//                                  range:START:END        read to the end of the range
//                                  range:START:END:LIMIT  read at most LIMIT results
//                                Each field is percent-decoded after splitting (%XX is the
//                                byte 0xXX), so ':', '=' and '%' inside a key or value are
//                                written %3A, %3D and %25. The whole script is parsed
//                                before any operation runs: a syntax error gives a 500
//                                response naming the operation's index and text, and
//                                touches no state. Payload: a get adds "value\n", a range
//                                adds "key=value\n" per result read.
// init() does nothing and succeeds.
//
// Ownership: KvstoreChaincode is stateless; all state goes through the stub. A KvOp owns
// copies of its keys and value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/chaincode/chaincode.h"

namespace fabsim::chaincode {

// One parsed kvstore operation.
struct KvOp {
  enum class Kind { kGet, kPut, kDel, kRange };
  Kind kind = Kind::kGet;
  std::string key;    // get, put, del
  std::string value;  // put
  std::string start_key, end_key;  // range
  std::optional<uint64_t> limit;   // range: at most this many results read
  bool operator==(const KvOp&) const = default;
};

// Parses one `multi` operation ("get:k", "put:k=v", "del:k", "range:a:c[:5]").
Result<KvOp> parse_kv_op(const std::string& text);

class KvstoreChaincode : public Chaincode {
 public:
  std::vector<FunctionSpec> functions() const override;
  ChaincodeResponse init(ChaincodeStub& stub, const std::vector<std::string>& args) override;
  ChaincodeResponse invoke(ChaincodeStub& stub, const std::string& function,
                           const std::vector<std::string>& args) override;
};

}  // namespace fabsim::chaincode
