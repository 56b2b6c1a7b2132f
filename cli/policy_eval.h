// The logic of the command
//   fabsim policy eval "<policy>" --signers "Org1MSP.peer#p0,Org2MSP.client#u1"
// kept apart from argument parsing (cli/main.cc wires it into CLI11) so tests can call it.
//
// --signers is a comma-separated list, possibly empty. Each signer is MSPID.role, optionally
// followed by #name naming its certificate; spaces around a signer are ignored. The MSP ID is
// everything before the last dot (letters, digits, dots, dashes, as in a policy principal);
// the role is member, admin, client, peer or orderer. The same #name twice within one MSP is the
// same identity, so it is counted once; a signer without a name is an identity of its own. A
// signer's identity is valid for its MSP and carries its role (an admin, client, peer or orderer
// is also a member); every signature is taken as valid.
//
// Output (stdout) is deterministic: the canonical policy, one line per signer (accepted or
// duplicate), one line per principal in index order (which signer filled it, or unfilled), then
// the result. A principal shows a signer only if the root rule kept that consumption: inside a
// gate that failed, Fabric discards the fills, so those principals show as unfilled.
// Exit status: kPolicyEvalSatisfied, kPolicyEvalNotSatisfied, or kPolicyEvalBadInput after
// printing the problem to `err` (for a policy: the message with token and position, then the
// policy with a caret under that position; for a signer: its index, text and what is wrong).
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/policy/policy_evaluator.h"
#include "core/status.h"

namespace fabsim::cli {

inline constexpr int kPolicyEvalSatisfied = 0;
inline constexpr int kPolicyEvalNotSatisfied = 1;
inline constexpr int kPolicyEvalBadInput = 2;

// One parsed --signers entry.
struct SignerSpec {
  std::string text;     // as written, trimmed: "Org1MSP.peer#p0"
  PolicySigner signer;  // id_key is "cert:<name>" when named, else "signer:<index>"
};

// Parses the --signers list. Errors are Status::invalid_argument naming the signer's 0-based
// index and text and what is wrong with it.
Result<std::vector<SignerSpec>> parse_signer_list(std::string_view list);

// Runs the command: parses both arguments, evaluates, prints. Returns the exit status.
int run_policy_eval(const std::string& policy, const std::string& signers, std::ostream& out,
                    std::ostream& err);

}  // namespace fabsim::cli
