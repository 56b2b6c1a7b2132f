// `fabsim policy eval` (cli/policy_eval.h), called as a function: exit status, report and
// error output for each rule of the command.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/policy_eval.h"

namespace fabsim::cli {
namespace {

struct CliCase {
  const char* name;
  std::string policy;
  std::string signers;
  int exit_status;
  std::string out;
  std::string err;
};

std::vector<CliCase> cli_cases() {
  return {
      {"satisfied_one_line_per_principal", "AND('Org1MSP.peer', 'Org2MSP.peer')",
       "Org1MSP.peer#p0,Org2MSP.peer#p1", kPolicyEvalSatisfied,
       "policy: AND('Org1MSP.peer', 'Org2MSP.peer')\n"
       "signer 0 Org1MSP.peer#p0: accepted\n"
       "signer 1 Org2MSP.peer#p1: accepted\n"
       "principal 0 'Org1MSP.peer': filled by signer 0 Org1MSP.peer#p0\n"
       "principal 1 'Org2MSP.peer': filled by signer 1 Org2MSP.peer#p1\n"
       "result: satisfied\n",
       ""},
      {"client_does_not_fill_peer", "AND('Org1MSP.peer', 'Org2MSP.peer')",
       "Org1MSP.peer#p0,Org2MSP.client#u1", kPolicyEvalNotSatisfied,
       "policy: AND('Org1MSP.peer', 'Org2MSP.peer')\n"
       "signer 0 Org1MSP.peer#p0: accepted\n"
       "signer 1 Org2MSP.client#u1: accepted\n"
       "principal 0 'Org1MSP.peer': filled by signer 0 Org1MSP.peer#p0\n"
       "principal 1 'Org2MSP.peer': unfilled\n"
       "result: not satisfied\n",
       ""},
      {"same_name_twice_is_one_identity", "AND('Org1MSP.peer', 'Org1MSP.peer')",
       "Org1MSP.peer#p0, Org1MSP.peer#p0", kPolicyEvalNotSatisfied,
       "policy: AND('Org1MSP.peer', 'Org1MSP.peer')\n"
       "signer 0 Org1MSP.peer#p0: accepted\n"
       "signer 1 Org1MSP.peer#p0: duplicate of signer 0, counted once\n"
       "principal 0 'Org1MSP.peer': filled by signer 0 Org1MSP.peer#p0\n"
       "principal 1 'Org1MSP.peer': unfilled\n"
       "result: not satisfied\n",
       ""},
      {"unnamed_signers_are_distinct", "AND('Org1MSP.peer', 'Org1MSP.peer')", "Org1MSP.peer,Org1MSP.peer",
       kPolicyEvalSatisfied,
       "policy: AND('Org1MSP.peer', 'Org1MSP.peer')\n"
       "signer 0 Org1MSP.peer: accepted\n"
       "signer 1 Org1MSP.peer: accepted\n"
       "principal 0 'Org1MSP.peer': filled by signer 0 Org1MSP.peer\n"
       "principal 1 'Org1MSP.peer': filled by signer 1 Org1MSP.peer\n"
       "result: satisfied\n",
       ""},
      {"greedy_admin_listed_first_fails", "AND('Org1MSP.member', 'Org1MSP.admin')",
       "Org1MSP.admin#a,Org1MSP.peer#p", kPolicyEvalNotSatisfied,
       "policy: AND('Org1MSP.member', 'Org1MSP.admin')\n"
       "signer 0 Org1MSP.admin#a: accepted\n"
       "signer 1 Org1MSP.peer#p: accepted\n"
       "principal 0 'Org1MSP.member': filled by signer 0 Org1MSP.admin#a\n"
       "principal 1 'Org1MSP.admin': unfilled\n"
       "result: not satisfied\n",
       ""},
      {"greedy_peer_listed_first_succeeds", "AND('Org1MSP.member', 'Org1MSP.admin')",
       "Org1MSP.peer#p,Org1MSP.admin#a", kPolicyEvalSatisfied,
       "policy: AND('Org1MSP.member', 'Org1MSP.admin')\n"
       "signer 0 Org1MSP.peer#p: accepted\n"
       "signer 1 Org1MSP.admin#a: accepted\n"
       "principal 0 'Org1MSP.member': filled by signer 0 Org1MSP.peer#p\n"
       "principal 1 'Org1MSP.admin': filled by signer 1 Org1MSP.admin#a\n"
       "result: satisfied\n",
       ""},
      {"principals_listed_in_index_order_innermost_first", "OR('A.member', AND('B.member', 'C.member'))",
       "MSP.WITH.DOTS.peer,C.orderer#o", kPolicyEvalNotSatisfied,
       "policy: OR('A.member', AND('B.member', 'C.member'))\n"
       "signer 0 MSP.WITH.DOTS.peer: accepted\n"
       "signer 1 C.orderer#o: accepted\n"
       "principal 0 'B.member': unfilled\n"
       "principal 1 'C.member': unfilled\n"
       "principal 2 'A.member': unfilled\n"
       "result: not satisfied\n",
       ""},
      {"no_signers_threshold_zero", "OutOf(0, 'A.member')", "", kPolicyEvalSatisfied,
       "policy: OutOf(0, 'A.member')\n"
       "principal 0 'A.member': unfilled\n"
       "result: satisfied\n",
       ""},
      {"same_name_in_two_msps_is_two_identities", "AND('Org1MSP.peer', 'Org2MSP.peer')",
       "Org1MSP.peer#x,Org2MSP.peer#x", kPolicyEvalSatisfied,
       "policy: AND('Org1MSP.peer', 'Org2MSP.peer')\n"
       "signer 0 Org1MSP.peer#x: accepted\n"
       "signer 1 Org2MSP.peer#x: accepted\n"
       "principal 0 'Org1MSP.peer': filled by signer 0 Org1MSP.peer#x\n"
       "principal 1 'Org2MSP.peer': filled by signer 1 Org2MSP.peer#x\n"
       "result: satisfied\n",
       ""},
      // Bad input: exit 2, nothing on stdout.
      {"malformed_policy_names_token_and_position", "AND(Org1MSP.member)", "Org1MSP.peer",
       kPolicyEvalBadInput, "",
       "fabsim: invalid policy: unrecognized token 'Org1MSP' at position 4\n"
       "  AND(Org1MSP.member)\n"
       "      ^\n"},
      {"malformed_policy_threshold", "OutOf(4, 'A.member', 'B.member')", "", kPolicyEvalBadInput, "",
       "fabsim: invalid policy: invalid t-out-of-n predicate, t 4, n 2: '4' at position 6\n"
       "  OutOf(4, 'A.member', 'B.member')\n"
       "        ^\n"},
      {"empty_policy", "", "", kPolicyEvalBadInput, "",
       "fabsim: invalid policy: Unexpected end of expression at position 0\n"
       "  \n"
       "  ^\n"},
      {"signer_unknown_role", "OR('Org1MSP.peer')", "Org1MSP.peer,Org2MSP.boss", kPolicyEvalBadInput, "",
       "fabsim: invalid signer 1 'Org2MSP.boss': unknown role 'boss' (expected member, admin, client, peer or "
       "orderer)\n"},
      {"signer_without_role", "OR('Org1MSP.peer')", "Org1MSP", kPolicyEvalBadInput, "",
       "fabsim: invalid signer 0 'Org1MSP': expected MSPID.role, found no '.role'\n"},
      {"signer_empty_msp_id", "OR('Org1MSP.peer')", ".peer#p", kPolicyEvalBadInput, "",
       "fabsim: invalid signer 0 '.peer#p': empty MSP ID before '.'\n"},
      {"signer_bad_msp_id_character", "OR('Org1MSP.peer')", "Org 1.peer", kPolicyEvalBadInput, "",
       "fabsim: invalid signer 0 'Org 1.peer': MSP ID 'Org 1' may contain only letters, digits, dots and "
       "dashes\n"},
      {"signer_empty_name", "OR('Org1MSP.peer')", "Org1MSP.peer#", kPolicyEvalBadInput, "",
       "fabsim: invalid signer 0 'Org1MSP.peer#': empty certificate name after '#'\n"},
      {"signer_empty_entry", "OR('Org1MSP.peer')", "Org1MSP.peer,,Org2MSP.peer", kPolicyEvalBadInput, "",
       "fabsim: invalid signer 1 '': empty signer (expected MSPID.role or MSPID.role#name)\n"},
      {"signer_trailing_comma", "OR('Org1MSP.peer')", "Org1MSP.peer,", kPolicyEvalBadInput, "",
       "fabsim: invalid signer 1 '': empty signer (expected MSPID.role or MSPID.role#name)\n"},
      {"signer_name_reused_with_other_role", "OR('Org1MSP.peer')", "Org1MSP.peer#x,Org1MSP.admin#x",
       kPolicyEvalBadInput, "",
       "fabsim: invalid signer 1 'Org1MSP.admin#x': certificate 'x' of Org1MSP was already given as "
       "Org1MSP.peer by "
       "signer 0\n"},
  };
}

TEST(PolicyEvalCli, ExitStatusReportAndErrors) {
  for (const CliCase& c : cli_cases()) {
    SCOPED_TRACE(c.name);
    std::ostringstream out;
    std::ostringstream err;
    const int status = run_policy_eval(c.policy, c.signers, out, err);
    EXPECT_EQ(status, c.exit_status);
    EXPECT_EQ(out.str(), c.out);
    EXPECT_EQ(err.str(), c.err);
  }
}

TEST(PolicyEvalCli, SignerListParsing) {
  Result<std::vector<SignerSpec>> specs =
      parse_signer_list("  Org1MSP.peer#p0 ,MSP.WITH.DOTS.admin,Org1MSP.peer#p0");
  ASSERT_TRUE(specs.is_ok()) << specs.status().to_string();
  ASSERT_EQ(specs->size(), 3u);
  const SignerSpec& a = (*specs)[0];
  const SignerSpec& b = (*specs)[1];
  const SignerSpec& c = (*specs)[2];
  EXPECT_EQ(a.text, "Org1MSP.peer#p0");
  EXPECT_EQ(a.signer.identity.msp_id, "Org1MSP");
  EXPECT_EQ(a.signer.identity.id_key, "cert:p0");
  EXPECT_EQ(a.signer.identity.roles_mask, role_bit(MspRole::kMember) | role_bit(MspRole::kPeer));
  EXPECT_TRUE(a.signer.signature_valid);
  EXPECT_EQ(b.signer.identity.msp_id, "MSP.WITH.DOTS");
  EXPECT_EQ(b.signer.identity.id_key, "signer:1");
  EXPECT_EQ(b.signer.identity.roles_mask, role_bit(MspRole::kMember) | role_bit(MspRole::kAdmin));
  EXPECT_EQ(c.signer.identity.id_key, a.signer.identity.id_key);
  Result<std::vector<SignerSpec>> none = parse_signer_list("   ");
  ASSERT_TRUE(none.is_ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace fabsim::cli
