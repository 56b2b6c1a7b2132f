// smallbank: the SmallBank contention benchmark (Cahill, Röhm, Fekete, "Serializable
// isolation for snapshot databases", SIGMOD 2008; as run on Fabric by Blockbench and
// Fabric++). Each customer has a checking and a savings balance, stored as two keys:
// "checking_<id>" and "saving_<id>" (Blockbench's key names), values in decimal.
//
// Functions, with the keys each one reads (R) and writes (W) — the rwset shape:
//   create_account(id, checking, savings)  W checking_id, saving_id. A blind write, like
//                                          the benchmark's loader (and Caliper's
//                                          create_account): no existence check.
//   deposit_checking(id, amount)           R checking_id          W checking_id
//   transact_savings(id, amount)           R saving_id            W saving_id
//                                          (amount may be negative: a withdrawal)
//   send_payment(from, to, amount)         R checking_from, checking_to
//   (alias: transfer)                      W checking_from, checking_to
//   write_check(id, amount)                R checking_id, saving_id   W checking_id
//                                          (if checking + savings < amount, an overdraft
//                                          penalty of 1 is charged, as in the benchmark)
//   amalgamate(from, to)                   R saving_from, checking_from, checking_to
//                                          W saving_from = 0, checking_from = 0,
//                                            checking_to += both of from's balances
//   balance(id) (alias: query)             R checking_id, saving_id; payload = their sum
// Error responses (500), with no writes recorded after the failing check: wrong argument
// count; an amount that is not a decimal integer; a negative amount where the benchmark
// forbids one (deposit, payment, check, initial balances); an unknown account ("account
// <id> not found", from the first read that finds the key absent); insufficient funds
// (send_payment: checking_from < amount; transact_savings: the savings would go negative);
// from == to for send_payment and amalgamate; a balance overflowing int64; a stored
// balance that is not a decimal integer. The reads made before the failing check stay in
// the rwset, as they would in Fabric (the endorser discards a failed proposal anyway).
// init() does nothing and succeeds.
//
// Ownership: SmallbankChaincode is stateless; all state goes through the stub. Invariant:
// every balance it writes is a decimal int64.
#pragma once

#include <string>
#include <vector>

#include "model/chaincode/chaincode.h"

namespace fabsim::chaincode {

// The state keys of customer `id`.
std::string smallbank_checking_key(const std::string& id);
std::string smallbank_savings_key(const std::string& id);

class SmallbankChaincode : public Chaincode {
 public:
  std::vector<FunctionSpec> functions() const override;
  ChaincodeResponse init(ChaincodeStub& stub, const std::vector<std::string>& args) override;
  ChaincodeResponse invoke(ChaincodeStub& stub, const std::string& function,
                           const std::vector<std::string>& args) override;
};

}  // namespace fabsim::chaincode
