#include "model/chaincode/smallbank.h"

#include <charconv>
#include <cstdint>
#include <utility>

namespace fabsim::chaincode {

std::string smallbank_checking_key(const std::string& id) { return "checking_" + id; }
std::string smallbank_savings_key(const std::string& id) { return "saving_" + id; }

namespace {

using Args = std::vector<std::string>;

Result<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) return Status::invalid_argument(text);
  return v;
}

// Parses an amount argument; `non_negative` as the benchmark requires for this function.
Result<int64_t> parse_amount(const std::string& name, const std::string& text, bool non_negative) {
  auto v = parse_int(text);
  if (!v.is_ok()) return Status::invalid_argument(name + " '" + text + "' is not a decimal integer");
  if (non_negative && *v < 0) return Status::invalid_argument(name + " must not be negative, got " + text);
  return *v;
}

// Reads a balance key; absent is "account <id> not found".
Result<int64_t> read_balance(ChaincodeStub& stub, const std::string& key, const std::string& id) {
  auto v = stub.get_state(key);
  if (!v.is_ok()) return v.status();
  if (!v->has_value()) return Status::not_found("account " + id + " not found");
  auto bal = parse_int(**v);
  if (!bal.is_ok()) return Status::corruption("stored balance of " + key + " is not a decimal integer");
  return *bal;
}

Result<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return Status::out_of_range("balance overflows int64");
  return sum;
}

Status write_balance(ChaincodeStub& stub, const std::string& key, int64_t balance) {
  return stub.put_state(key, std::to_string(balance));
}

ChaincodeResponse fail(const Status& s) { return ChaincodeResponse::error("smallbank: " + s.message()); }

ChaincodeResponse create_account(ChaincodeStub& stub, const Args& a) {
  auto checking = parse_amount("checking", a[1], true);
  if (!checking.is_ok()) return fail(checking.status());
  auto savings = parse_amount("savings", a[2], true);
  if (!savings.is_ok()) return fail(savings.status());
  if (Status s = write_balance(stub, smallbank_checking_key(a[0]), *checking); !s.is_ok()) return fail(s);
  if (Status s = write_balance(stub, smallbank_savings_key(a[0]), *savings); !s.is_ok()) return fail(s);
  return ChaincodeResponse::success();
}

ChaincodeResponse deposit_checking(ChaincodeStub& stub, const Args& a) {
  auto amount = parse_amount("amount", a[1], true);
  if (!amount.is_ok()) return fail(amount.status());
  auto bal = read_balance(stub, smallbank_checking_key(a[0]), a[0]);
  if (!bal.is_ok()) return fail(bal.status());
  auto next = checked_add(*bal, *amount);
  if (!next.is_ok()) return fail(next.status());
  if (Status s = write_balance(stub, smallbank_checking_key(a[0]), *next); !s.is_ok()) return fail(s);
  return ChaincodeResponse::success();
}

ChaincodeResponse transact_savings(ChaincodeStub& stub, const Args& a) {
  auto amount = parse_amount("amount", a[1], false);
  if (!amount.is_ok()) return fail(amount.status());
  auto bal = read_balance(stub, smallbank_savings_key(a[0]), a[0]);
  if (!bal.is_ok()) return fail(bal.status());
  auto next = checked_add(*bal, *amount);
  if (!next.is_ok()) return fail(next.status());
  if (*next < 0) return fail(Status::failed_precondition("insufficient funds in savings of account " + a[0]));
  if (Status s = write_balance(stub, smallbank_savings_key(a[0]), *next); !s.is_ok()) return fail(s);
  return ChaincodeResponse::success();
}

ChaincodeResponse send_payment(ChaincodeStub& stub, const Args& a) {
  const std::string& from = a[0];
  const std::string& to = a[1];
  if (from == to) return fail(Status::invalid_argument("source and destination accounts must differ"));
  auto amount = parse_amount("amount", a[2], true);
  if (!amount.is_ok()) return fail(amount.status());
  auto from_bal = read_balance(stub, smallbank_checking_key(from), from);
  if (!from_bal.is_ok()) return fail(from_bal.status());
  auto to_bal = read_balance(stub, smallbank_checking_key(to), to);
  if (!to_bal.is_ok()) return fail(to_bal.status());
  if (*from_bal < *amount) {
    return fail(Status::failed_precondition("insufficient funds in checking of account " + from));
  }
  auto to_next = checked_add(*to_bal, *amount);
  if (!to_next.is_ok()) return fail(to_next.status());
  if (Status s = write_balance(stub, smallbank_checking_key(from), *from_bal - *amount); !s.is_ok()) return fail(s);
  if (Status s = write_balance(stub, smallbank_checking_key(to), *to_next); !s.is_ok()) return fail(s);
  return ChaincodeResponse::success();
}

ChaincodeResponse write_check(ChaincodeStub& stub, const Args& a) {
  auto amount = parse_amount("amount", a[1], true);
  if (!amount.is_ok()) return fail(amount.status());
  auto checking = read_balance(stub, smallbank_checking_key(a[0]), a[0]);
  if (!checking.is_ok()) return fail(checking.status());
  auto savings = read_balance(stub, smallbank_savings_key(a[0]), a[0]);
  if (!savings.is_ok()) return fail(savings.status());
  auto total = checked_add(*checking, *savings);
  if (!total.is_ok()) return fail(total.status());
  // The benchmark's overdraft rule: a check larger than both balances costs one more.
  auto debit = *total < *amount ? checked_add(*amount, 1) : Result<int64_t>(*amount);
  if (!debit.is_ok()) return fail(debit.status());
  int64_t next = 0;
  if (__builtin_sub_overflow(*checking, *debit, &next)) return fail(Status::out_of_range("balance overflows int64"));
  if (Status s = write_balance(stub, smallbank_checking_key(a[0]), next); !s.is_ok()) return fail(s);
  return ChaincodeResponse::success();
}

ChaincodeResponse amalgamate(ChaincodeStub& stub, const Args& a) {
  const std::string& from = a[0];
  const std::string& to = a[1];
  if (from == to) return fail(Status::invalid_argument("source and destination accounts must differ"));
  auto savings = read_balance(stub, smallbank_savings_key(from), from);
  if (!savings.is_ok()) return fail(savings.status());
  auto checking = read_balance(stub, smallbank_checking_key(from), from);
  if (!checking.is_ok()) return fail(checking.status());
  auto to_checking = read_balance(stub, smallbank_checking_key(to), to);
  if (!to_checking.is_ok()) return fail(to_checking.status());
  auto total = checked_add(*savings, *checking);
  if (!total.is_ok()) return fail(total.status());
  auto to_next = checked_add(*to_checking, *total);
  if (!to_next.is_ok()) return fail(to_next.status());
  if (Status s = write_balance(stub, smallbank_savings_key(from), 0); !s.is_ok()) return fail(s);
  if (Status s = write_balance(stub, smallbank_checking_key(from), 0); !s.is_ok()) return fail(s);
  if (Status s = write_balance(stub, smallbank_checking_key(to), *to_next); !s.is_ok()) return fail(s);
  return ChaincodeResponse::success();
}

ChaincodeResponse balance(ChaincodeStub& stub, const Args& a) {
  auto checking = read_balance(stub, smallbank_checking_key(a[0]), a[0]);
  if (!checking.is_ok()) return fail(checking.status());
  auto savings = read_balance(stub, smallbank_savings_key(a[0]), a[0]);
  if (!savings.is_ok()) return fail(savings.status());
  auto total = checked_add(*checking, *savings);
  if (!total.is_ok()) return fail(total.status());
  return ChaincodeResponse::success(std::to_string(*total));
}

struct Function {
  const char* name;
  const char* args;  // argument names, comma-separated: the count is the arity
  ChaincodeResponse (*run)(ChaincodeStub&, const Args&);
  const char* effect;
  const char* failures;
};

constexpr const char* kAccountFailures = "account not found; an amount that is not a decimal integer";

// Sorted by name; looked up linearly (a handful of entries).
constexpr Function kFunctions[] = {
    {"amalgamate", "from, to", &amalgamate,
     "R saving_from, checking_from, checking_to; W saving_from = 0, checking_from = 0, checking_to += both",
     "account not found; from == to; overflow"},
    {"balance", "id", &balance, "R checking_id, saving_id; payload: their sum", "account not found"},
    {"create_account", "id, checking, savings", &create_account, "W checking_id, saving_id (a blind write)",
     "a balance that is not a non-negative decimal integer"},
    {"deposit_checking", "id, amount", &deposit_checking, "R checking_id; W checking_id += amount",
     "account not found; a negative or non-decimal amount; overflow"},
    {"query", "id", &balance, "alias of balance", "account not found"},
    {"send_payment", "from, to, amount", &send_payment,
     "R checking_from, checking_to; W checking_from -= amount, checking_to += amount",
     "account not found; from == to; insufficient funds; a negative or non-decimal amount"},
    {"transact_savings", "id, amount", &transact_savings, "R saving_id; W saving_id += amount (may be negative)",
     "account not found; savings would go negative; a non-decimal amount"},
    {"transfer", "from, to, amount", &send_payment, "alias of send_payment",
     "account not found; from == to; insufficient funds; a negative or non-decimal amount"},
    {"write_check", "id, amount", &write_check,
     "R checking_id, saving_id; W checking_id -= amount (+1 penalty when checking + savings < amount)",
     kAccountFailures},
};

}  // namespace

std::vector<FunctionSpec> SmallbankChaincode::functions() const {
  std::vector<FunctionSpec> out;
  for (const Function& f : kFunctions) out.push_back({f.name, split_arg_names(f.args), 0, false, f.effect, f.failures});
  return out;
}

ChaincodeResponse SmallbankChaincode::init(ChaincodeStub&, const std::vector<std::string>&) {
  return ChaincodeResponse::success();
}

ChaincodeResponse SmallbankChaincode::invoke(ChaincodeStub& stub, const std::string& function,
                                             const std::vector<std::string>& args) {
  for (const Function& f : kFunctions) {
    if (function != f.name) continue;
    const size_t arg_count = split_arg_names(f.args).size();
    if (args.size() != arg_count) {
      return ChaincodeResponse::error("smallbank: " + function + " expects " + std::to_string(arg_count) +
                                      " args, got " + std::to_string(args.size()));
    }
    return f.run(stub, args);
  }
  std::string known;
  for (const Function& f : kFunctions) known += (known.empty() ? "" : ", ") + std::string(f.name);
  return ChaincodeResponse::error("smallbank: unknown function '" + function + "' (expected one of " + known + ")");
}

}  // namespace fabsim::chaincode
