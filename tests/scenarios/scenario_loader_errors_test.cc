// Bad scenario files: one case per rule, named after the rule. Each expects the one message
// the loader gives, with its file:line:column and key path (docs/scenario-format.md,
// "Errors").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "scenarios/scenario_loader.h"

namespace fabsim::scenario {
namespace {

// Six lines, valid on its own: cases append from line 7.
const std::string kBase =
    "name: t\n"
    "duration: 60s\n"
    "network:\n"
    "  orgs:\n"
    "    - {name: Org1}\n"
    "    - {name: Org2}\n";

// kBase plus a kvstore chaincode `kv` on the default channel (lines 7-8); cases append
// from line 9.
const std::string kWithChaincode = kBase +
                                   "chaincodes:\n"
                                   "  - {name: kv, kind: kvstore}\n";

struct ErrorCase {
  const char* name;
  std::string yaml;
  std::string expected;  // a substring of the message
};

std::vector<ErrorCase> error_cases() {
  return {
      // ---- YAML itself ---------------------------------------------------------------
      {"MalformedYamlUnclosedFlowList", "name: t\nduration: [60s\n",
       "t.yaml:3:1: malformed YAML: end of sequence flow not found"},
      {"MalformedYamlBadIndentation", "name: t\n  duration: 60s\n", "t.yaml:2:11: malformed YAML: illegal map value"},
      {"DuplicateYamlKeyRejected", kBase + "duration: 30s\n", "t.yaml:7:1: duplicate key 'duration' (first at line 2)"},
      {"DuplicateNestedKeyNamesItsPath", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1, name: Org2}\n",
       "t.yaml:5:20: network.orgs.0: duplicate key 'name' (first at line 5)"},
      {"OneDocumentOnly", kBase + "---\nname: u\n", "t.yaml:8:1: expected one YAML document (found 2)"},
      // yaml-cpp 0.7's LoadAll loops without end on these (the fuzzer's first finding).
      {"LoneCommaIsMalformedYamlNotAnEndlessLoop", ",", "t.yaml:1:1: malformed YAML: unexpected ','"},
      {"CommaAfterTheDocumentIsMalformedYaml", kBase + "...\n, a: b\n", "t.yaml:8:1: malformed YAML: unexpected ','"},
      {"EmptyFileIsNotAScenario", "", "t.yaml:1:1: expected a map of scenario keys"},
      {"NonTextKeyRejected", kBase + "[a, b]: 1\n", "t.yaml:7:1: expected a plain text key (got a list)"},
      {"MessagesStayOnOneLine", kBase + "\"ord\\nring\": 1\n", "t.yaml:7:1: unknown key 'ord\\nring'"},
      {"AliasInsideTheNodeItNamesRejected", kBase + "expect: &e {tx: *e}\n",
       "t.yaml:7:9: expect: an alias inside this node refers to the node itself, so it never ends"},
      // ---- keys ----------------------------------------------------------------------
      {"UnknownTopLevelKeySuggestsClosest", kBase + "ordring: {type: solo}\n",
       "t.yaml:7:1: unknown key 'ordring' (did you mean 'ordering'?)"},
      {"UnknownNestedKeySuggestsClosest", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1, peer: 2}\n",
       "t.yaml:5:20: network.orgs.0: unknown key 'peer' (did you mean 'peers'?)"},
      {"UnknownKeyFarFromAllListsTheValidOnes", kBase + "crypto: {zzz: 1}\n",
       "t.yaml:7:10: crypto: unknown key 'zzz' (expected one of: scheme, verify_cache)"},
      {"MissingRequiredKey", "name: t\nnetwork:\n  orgs: [{name: Org1}]\n",
       "t.yaml:1:1: missing key 'duration' (how long the workload runs, e.g. 60s)"},
      {"MapExpected", "name: t\nduration: 60s\nnetwork: 5\n", "t.yaml:3:10: network: expected a map (got '5')"},
      {"ListExpected", "name: t\nduration: 60s\nnetwork:\n  orgs: {name: Org1}\n",
       "t.yaml:4:9: network.orgs: expected a list (got a map)"},
      {"ScalarExpectedGotNothing", "name:\nduration: 60s\nnetwork: {orgs: [{name: Org1}]}\n",
       "t.yaml:1:1: name: expected a text value (got nothing)"},
      // ---- units and numbers ---------------------------------------------------------
      {"NegativeDurationRejected", "name: t\nduration: -5s\nnetwork: {orgs: [{name: Org1}]}\n",
       "t.yaml:2:11: duration: expected a positive duration; durations here cannot be negative (got '-5s')"},
      {"ZeroDurationRejected", "name: t\nduration: 0s\nnetwork: {orgs: [{name: Org1}]}\n",
       "t.yaml:2:11: duration: expected a positive duration (got '0s')"},
      {"DurationUnitErrorPointsAtTheValue", "name: t\nduration: 60 sec\nnetwork: {orgs: [{name: Org1}]}\n",
       "t.yaml:2:11: duration: '60 sec' is not a valid duration (expected a number with ns, us, ms, s, m or h"},
      {"DurationWithoutUnitRejected", "name: t\nduration: 60\nnetwork: {orgs: [{name: Org1}]}\n",
       "t.yaml:2:11: duration: '60' is not a valid duration"},
      {"NegativeDrainRejected", kBase + "drain: -1s\n", "t.yaml:7:8: drain: expected a non-negative duration"},
      {"SizeUnitErrorPointsAtTheValue", kBase + "ordering:\n  batch_size: {absolute_max_bytes: 10 MB}\n",
       "t.yaml:8:36: ordering.batch_size.absolute_max_bytes: '10 MB' is not a valid size"},
      {"SizeAboveUint32Rejected", kBase + "ordering:\n  batch_size: {absolute_max_bytes: 5GiB}\n",
       "t.yaml:8:36: ordering.batch_size.absolute_max_bytes: expected a size of at most 4294967295 bytes (got '5GiB'"},
      {"BandwidthUnitError", kBase + "  links: {default: {bandwidth: 1GB}}\n",
       "t.yaml:7:32: network.links.default.bandwidth: '1GB' is not a valid bandwidth"},
      {"WholeNumberExpected", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1, peers: x}\n",
       "t.yaml:5:27: network.orgs.0.peers: expected a whole number from 1 to 1000 (got 'x')"},
      {"ZeroPeersRejected", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1, peers: 0}\n",
       "t.yaml:5:27: network.orgs.0.peers: expected a whole number from 1 to 1000 (got '0')"},
      {"BadSeed", kBase + "seed: -3\n", "t.yaml:7:7: seed: '-3' is not a valid seed"},
      {"LossMustBeBelowOne", kBase + "  links: {default: {loss: 1}}\n",
       "t.yaml:7:27: network.links.default.loss: expected a number from 0 up to (not including) 1 (got '1')"},
      {"BooleanIsTrueOrFalse", kBase + "crypto: {verify_cache: yes}\n",
       "t.yaml:7:24: crypto.verify_cache: expected true or false (got 'yes')"},
      {"EnumSuggestsClosest", kBase + "crypto: {scheme: ecdas}\n",
       "t.yaml:7:18: crypto.scheme: expected ecdsa or hmac (got 'ecdas'; did you mean 'ecdsa'?)"},
      // ---- network -------------------------------------------------------------------
      {"DuplicateOrgName", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org1}\n    - {name: Org1}\n",
       "t.yaml:6:14: network.orgs.1.name: duplicate organisation name 'Org1'"},
      {"DuplicateMspId",
       "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: A, msp_id: X}\n    - {name: B, msp_id: X}\n",
       "t.yaml:6:25: network.orgs.1.msp_id: duplicate MSP ID 'X'"},
      {"OrdererMspIdIsReserved",
       "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: A, msp_id: OrdererMSP}\n",
       "t.yaml:5:25: network.orgs.0.msp_id: MSP ID 'OrdererMSP' is reserved for the orderer organisation"},
      {"OrgNamedOrdererNeedsAnotherMspId", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Orderer}\n",
       "t.yaml:5:14: network.orgs.0.name: MSP ID 'OrdererMSP' is reserved for the orderer organisation"},
      {"OrgNameReservedForAGroup", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: peers}\n",
       "t.yaml:5:14: network.orgs.0.name: 'peers' is reserved (it names a group or an orderer)"},
      {"OrgNameWithADotRejected", "name: t\nduration: 60s\nnetwork:\n  orgs:\n    - {name: Org.1}\n",
       "t.yaml:5:14: network.orgs.0.name: expected a name of letters, digits, '_' and '-'"},
      {"NoOrgsRejected", "name: t\nduration: 60s\nnetwork:\n  orgs: []\n",
       "t.yaml:4:9: network.orgs: expected at least one organisation (got none)"},
      {"LinkOverrideUnknownNode",
       kBase + "  links:\n    overrides:\n      - {between: [Org1, orderer1], latency: 5ms}\n",
       "t.yaml:9:26: network.links.overrides.0.between.1: unknown node or group 'orderer1' (did you mean 'orderer0'?)"},
      // ---- ordering ------------------------------------------------------------------
      {"KafkaWithoutAKafkaSectionRejected", kBase + "ordering: {type: kafka}\n",
       "t.yaml:7:18: ordering.type: ordering type kafka needs a 'kafka:' section (brokers, zookeepers, ...)"},
      {"KafkaSectionWithSoloRejected", kBase + "kafka: {brokers: 4}\n", "t.yaml:7:8: kafka: a kafka section needs 'ordering: {type: kafka}'"},
      {"KafkaReplicationFactorAboveTheBrokersRejected", kBase + "ordering: {type: kafka}\nkafka: {brokers: 2, replication_factor: 3}\n",
       "t.yaml:8:41: kafka.replication_factor: replication factor 3 exceeds the 2 brokers"},
      {"KafkaMinInsyncAboveTheReplicationFactorRejected", kBase + "ordering: {type: kafka}\nkafka: {replication_factor: 3, min_insync_replicas: 4}\n",
       "t.yaml:8:53: kafka.min_insync_replicas: min.insync.replicas 4 exceeds the replication factor 3"},
      {"KafkaZeroBrokersRejected", kBase + "ordering: {type: kafka}\nkafka: {brokers: 0}\n",
       "t.yaml:8:18: kafka.brokers"},
      {"KafkaZeroZookeepersRejected", kBase + "ordering: {type: kafka}\nkafka: {zookeepers: 0}\n",
       "t.yaml:8:21: kafka.zookeepers"},
      {"KafkaUnknownVersionRejected", kBase + "ordering: {type: kafka}\nkafka: {version: '0.11'}\n",
       "t.yaml:8:18: kafka.version"},
      // Kafka role targets are refused at load when no node could ever hold the role.
      {"KafkaLeaderTargetNeedsKafkaOrdering", kWithChaincode + "faults:\n  - {at: 1s, crash: \"kafka-leader(mychannel)\"}\n",
       "t.yaml:10:21: faults.0.crash: kafka-leader(mychannel): the scenario has no Kafka brokers: it needs "
       "'ordering: {type: kafka}' and a 'kafka:' section (ordering.type is solo)"},
      {"KafkaControllerTargetNeedsKafkaOrdering", kWithChaincode + "faults:\n  - {at: 1s, power_loss: [Org1, \"kafka-controller()\"]}\n",
       "t.yaml:10:33: faults.0.power_loss.1: kafka-controller(): the scenario has no Kafka brokers"},
      {"KafkaRoleInAPartitionNeedsKafkaOrdering",
       kWithChaincode + "faults:\n  - {at: 1s, partition: [[\"kafka-leader(mychannel)\"], [orderers]]}\n",
       "t.yaml:10:27: faults.0.partition.0.0: kafka-leader(mychannel): the scenario has no Kafka brokers"},
      {"KafkaLeaderOfAnUnknownChannelRejected",
       kWithChaincode + "ordering: {type: kafka}\nkafka: {}\nfaults:\n  - {at: 1s, crash: \"kafka-leader(trade)\"}\n",
       "t.yaml:12:21: faults.0.crash: unknown channel 'trade' in kafka-leader(<channel>) (expected one of: mychannel)"},
      {"KafkaFaultOnAnUnknownBroker",
       kBase + "ordering: {type: kafka}\nkafka: {brokers: 4}\nfaults:\n  - {at: 1s, crash: kafka4}\n",
       "crash: unknown node or group 'kafka4'"},
      {"KafkaExpectationsWithSoloRejected", kBase + "expect:\n  kafka: {lost_acknowledged: {min: 1}}\n",
       "t.yaml:8:10: expect.kafka: expect.kafka needs Kafka ordering (ordering.type: kafka)"},
      {"KafkaExpectationsWithoutABoundRejected", kBase + "ordering: {type: kafka}\nkafka: {brokers: 4}\nexpect:\n  kafka: {}\n",
       "t.yaml:10:10: expect.kafka: expected lost_acknowledged, replica_divergence or both (got neither)"},
      {"KafkaExpectationsUnknownKeyRejected",
       kBase + "ordering: {type: kafka}\nkafka: {brokers: 4}\nexpect:\n  kafka: {lost: {min: 1}}\n",
       "t.yaml:10:11: expect.kafka: unknown key 'lost'"},
      {"SoloHasOneOrderer", kBase + "ordering: {orderers: 3}\n",
       "t.yaml:7:22: ordering.orderers: solo ordering has exactly one orderer (got '3')"},
      {"BatchPreferredAboveAbsoluteRejected",
       kBase + "ordering:\n  batch_size: {absolute_max_bytes: 1MiB, preferred_max_bytes: 2MiB}\n",
       "t.yaml:8:63: ordering.batch_size.preferred_max_bytes: invalid batch settings: batch_size.preferred_max_bytes "
       "(2097152) must not exceed absolute_max_bytes (1048576)"},
      {"BatchZeroMessageCountRejected", kBase + "ordering:\n  batch_size: {max_message_count: 0}\n",
       "t.yaml:8:35: ordering.batch_size.max_message_count: invalid batch settings: batch_size.max_message_count must "
       "be "
       "greater than 0"},
      {"BatchTimeoutMustBePositive", kBase + "ordering: {batch_timeout: 0s}\n",
       "t.yaml:7:27: ordering.batch_timeout: expected a positive duration (got '0s')"},
      // ---- channels and chaincodes ---------------------------------------------------
      {"DuplicateChannelName", kBase + "channels:\n  - {name: ch}\n  - {name: ch}\n",
       "t.yaml:9:12: channels.1.name: duplicate channel name 'ch'"},
      {"ChannelNameFollowsFabricsRule", kBase + "channels:\n  - {name: MyChannel}\n",
       "t.yaml:8:12: channels.0.name: expected a channel name of lower-case letters"},
      {"ChannelUnknownOrg", kBase + "channels:\n  - {name: ch, orgs: [Org1, Org3]}\n",
       "t.yaml:8:29: channels.0.orgs.1: unknown organisation 'Org3' (did you mean 'Org1'?)"},
      {"ChannelPeerOfAnOrgNotOnTheChannel", kBase + "channels:\n  - {name: ch, orgs: [Org1], peers: [Org2.peer0]}\n",
       "t.yaml:8:38: channels.0.peers.0: peer 'Org2.peer0' cannot join channel 'ch': its organisation Org2 is not on the "
       "channel (its orgs: Org1)"},
      {"ChannelPeersAreOnlyPeers", kBase + "channels:\n  - {name: ch, peers: [Org1.client0]}\n",
       "t.yaml:8:24: channels.0.peers.0: 'Org1.client0' is a client, not a peer: only peers join a channel"},
      {"ChannelPeersGroupWithoutPeers", kBase + "channels:\n  - {name: ch, peers: [orderers]}\n",
       "t.yaml:8:24: channels.0.peers.0: group 'orderers' has no peers"},
      {"ChannelPeersUnknownNode", kBase + "channels:\n  - {name: ch, peers: [Org1.peer7]}\n",
       "t.yaml:8:24: channels.0.peers.0: unknown node or group 'Org1.peer7' (did you mean 'Org1.peer0'?)"},
      {"ChannelBatchSettingsAreValidated", kBase + "channels:\n  - {name: ch, batch_size: {max_message_count: 0}}\n",
       "t.yaml:8:48: channels.0.batch_size.max_message_count: invalid batch settings"},
      {"ChannelBatchTimeoutIsPositive", kBase + "channels:\n  - {name: ch, batch_timeout: 0s}\n",
       "t.yaml:8:31: channels.0.batch_timeout: expected a positive duration"},
      {"FaultRoleTargetUnknownRole", kBase + "faults:\n  - {at: 1s, crash: orderer-leadr(mychannel)}\n",
       "t.yaml:8:21: faults.0.crash: unknown role 'orderer-leadr' (did you mean 'orderer-leader'?)"},
      {"FaultRoleTargetUnknownChannel", kBase + "faults:\n  - {at: 1s, crash: orderer-leader(mychanel)}\n",
       "t.yaml:8:21: faults.0.crash: unknown channel 'mychanel' in orderer-leader(<channel>) (did you mean 'mychannel'?)"},
      {"FaultRoleTargetArity", kBase + "faults:\n  - {at: 1s, pause: \"orderer-leader(mychannel, Org1)\"}\n",
       "t.yaml:8:21: faults.0.pause: expected orderer-leader(<channel>), 1 argument (got 2)"},
      {"FaultRoleTargetInAPartitionSet", kBase + "faults:\n  - {at: 1s, partition: [[Org1], [orderer-leader(ch)]]}\n",
       "t.yaml:8:35: faults.0.partition.1.0: unknown channel 'ch' in orderer-leader(<channel>) (expected one of: mychannel)"},
      {"ChannelPeersEmptyList", kBase + "channels:\n  - {name: ch, peers: []}\n",
       "t.yaml:8:23: channels.0.peers: expected at least one peer (got none)"},
      {"FaultRoleTargetsOverlapInAPartitionWhenTheirHolderIsFixed",
       kBase + "faults:\n  - {at: 1s, partition: [[orderer-leader(mychannel)], [orderers]]}\n",
       "faults.0.partition.1: node orderer0 is in sets 0 and 1 of the partition; the sets must not overlap"},
      {"FaultRoleTargetFollowedByTheTimelineWhenItsHolderIsFixed",
       kBase + "faults:\n  - {at: 1s, crash: orderer0}\n  - {at: 2s, crash: orderer-leader(mychannel)}\n",
       "faults.1.crash: crash of orderer0 at 2s, which is already down (crashed at 1s by faults.0)"},
      {"WorkloadUnknownChaincodeFunction",
       kWithChaincode + "workload:\n  - {rate: 1tps, mix: [{function: increment, args: [k]}]}\n",
       "t.yaml:10:35: workload.0.mix.0.function: chaincode 'kv' (kvstore) has no function 'increment' (expected one "
       "of: get, put, del, range, multi) (docs/chaincodes.md lists each kind's functions)"},
      {"WorkloadFunctionWithTheWrongArity", kWithChaincode + "workload:\n  - {rate: 1tps, mix: [{function: put, args: [k]}]}\n",
       "t.yaml:10:46: workload.0.mix.0.args: put(key, value) takes 2 arguments (got 1)"},
      {"WorkloadFunctionArityWithOptionalArguments",
       kWithChaincode + "workload:\n  - {rate: 1tps, mix: [{function: range, args: [a]}]}\n",
       "workload.0.mix.0.args: range(start, end[, limit]) takes 2 to 3 arguments (got 1)"},
      {"ScriptedFunctionIsCheckedToo",
       kWithChaincode + "workload:\n  - transactions: [{id: t1, at: 1s, client: Org1.client0, function: puts, args: [k, v]}]\n",
       "workload.0.transactions.0.function: chaincode 'kv' (kvstore) has no function 'puts' (did you mean 'put'?)"},
      {"ExpectUnknownChannel", kWithChaincode + "expect:\n  channels:\n    chx: {committed: {min: 1}}\n",
       "t.yaml:11:5: expect.channels: unknown channel 'chx' (expected one of: mychannel)"},
      {"ExpectChannelBoundsOnlyMetrics", kWithChaincode + "expect:\n  channels:\n    mychannel: {invariants: hold}\n",
       "t.yaml:11:17: expect.channels.mychannel: unknown key 'invariants'"},
      {"ChaincodeOnUnknownChannel", kBase + "chaincodes:\n  - {name: kv, channel: mychanel, kind: kvstore}\n",
       "t.yaml:8:25: chaincodes.0.channel: unknown channel 'mychanel' (did you mean 'mychannel'?)"},
      {"UnknownChaincodeKind", kBase + "chaincodes:\n  - {name: kv, kind: kvstor}\n",
       "t.yaml:8:22: chaincodes.0.kind: unknown chaincode kind 'kvstor' (did you mean 'kvstore'?)"},
      {"DuplicateChaincodeName", kBase + "chaincodes:\n  - {name: kv, kind: kvstore}\n  - {name: kv, kind: asset}\n",
       "t.yaml:9:12: chaincodes.1.name: duplicate chaincode name 'kv'"},
      {"ChaincodeNeedsAChannelWhenThereAreSeveral",
       kBase + "channels: [{name: a}, {name: b}]\nchaincodes:\n  - {name: kv, kind: kvstore}\n",
       "t.yaml:9:5: chaincodes.0: missing key 'channel' (needed when there is more than one channel)"},
      {"MalformedPolicyPointsAtTheToken",
       kBase + "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"AND(Org1MSP.member)\"}\n",
       "t.yaml:8:56: chaincodes.0.endorsement_policy: malformed endorsement policy: unrecognized token 'Org1MSP' at "
       "position 4"},
      {"PolicyOrgNotOnTheChannel",
       kBase +
           "channels: [{name: ch, orgs: [Org1]}]\n"
           "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"AND('Org1MSP.peer','Org2MSP.peer')\"}\n",
       "t.yaml:9:72: chaincodes.0.endorsement_policy: principal 'Org2MSP.peer' names MSP 'Org2MSP', which is not an "
       "organisation on channel 'ch' (its MSPs: Org1MSP)"},
      {"PolicyUnknownMspSuggestsClosest",
       kBase + "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: \"OR('Org1MPS.peer')\"}\n",
       "t.yaml:8:56: chaincodes.0.endorsement_policy: principal 'Org1MPS.peer' names MSP 'Org1MPS', which is not the "
       "MSP of "
       "any organisation on channel 'mychannel' (its MSPs: Org1MSP, Org2MSP); did you mean 'Org1MSP'?"},
      {"ImplicitMetaOnlyEndorsement",
       kBase + "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: MAJORITY Writers}\n",
       "t.yaml:8:51: chaincodes.0.endorsement_policy: implicit meta policies may only name the Endorsement sub-policy"},
      {"ImplicitMetaMalformed", kBase + "chaincodes:\n  - {name: kv, kind: kvstore, endorsement_policy: ANY}\n",
       "chaincodes.0.endorsement_policy: malformed implicit meta policy: expected two space separated tokens, but got "
       "1"},
      // ---- costs ---------------------------------------------------------------------
      {"CostsUnknownSelector", kBase + "costs:\n  Org1.peer5: {}\n",
       "t.yaml:8:3: costs: unknown key 'Org1.peer5' (did you mean 'Org1.peer0'?)"},
      {"CostsWithNoKnownNames", kBase + "costs:\n  peers: {vscc: 1ms}\n",
       "t.yaml:8:11: costs.peers: unknown cost 'vscc' (no cost parameters are known)"},
      // ---- nodes ---------------------------------------------------------------------
      {"NodesSectionIsAMap", kBase + "nodes: [peers]\n", "t.yaml:7:8: nodes: expected a map (got a list)"},
      {"NodesUnknownSelectorSuggestsClosest", kBase + "nodes:\n  Org1.peer5: {cores: 4}\n",
       "t.yaml:8:3: nodes: unknown key 'Org1.peer5' (did you mean 'Org1.peer0'?)"},
      {"NodesScopeValueIsAMap", kBase + "nodes:\n  peers: 4\n",
       "t.yaml:8:10: nodes.peers: expected a map of node settings, e.g. {cores: 4} (got '4')"},
      {"NodesUnknownKeySuggestsClosest", kBase + "nodes:\n  peers: {core: 4}\n",
       "t.yaml:8:11: nodes.peers: unknown key 'core' (did you mean 'cores'?)"},
      {"NodesUnknownKeyFarFromAllListsTheValidOnes", kBase + "nodes:\n  all: {zzz: 1}\n",
       "t.yaml:8:9: nodes.all: unknown key 'zzz' (expected one of: cores, validator_pool_size, deliver_retry, "
       "endorsement_timeout, broadcast_timeout, commit_timeout, broadcast_attempts, endorsement_attempts, "
       "endorser_backoff, event_silence)"},
      {"NodesCoresAtLeastOne", kBase + "nodes:\n  peers: {cores: 0}\n",
       "t.yaml:8:18: nodes.peers.cores: expected a whole number from 1 to 1024 (got '0')"},
      {"NodesCoresAtMost1024", kBase + "nodes:\n  all: {cores: 1025}\n",
       "t.yaml:8:16: nodes.all.cores: expected a whole number from 1 to 1024 (got '1025')"},
      {"NodesValidatorPoolSizeZeroIsOnlyTheDefault", kBase + "nodes:\n  peers: {validator_pool_size: 0}\n",
       "t.yaml:8:32: nodes.peers.validator_pool_size: expected a whole number from 1 to 1024 (got '0'; leave the "
       "key out for the default, one validator per core)"},
      {"NodesAttemptsAtLeastOne", kBase + "nodes:\n  clients: {endorsement_attempts: 0}\n",
       "t.yaml:8:35: nodes.clients.endorsement_attempts: expected a whole number from 1 to 100 (got '0')"},
      {"NodesAttemptsAtMost100", kBase + "nodes:\n  clients: {broadcast_attempts: 101}\n",
       "t.yaml:8:33: nodes.clients.broadcast_attempts: expected a whole number from 1 to 100 (got '101')"},
      {"NodesPeerKeyInAScopeWithoutPeers", kBase + "nodes:\n  clients: {validator_pool_size: 1}\n",
       "t.yaml:8:34: nodes.clients.validator_pool_size: applies to peers, and 'clients' selects none"},
      {"NodesClientKeyInAScopeWithoutClients", kBase + "nodes:\n  Org1.peers: {event_silence: 1s}\n",
       "t.yaml:8:31: nodes.Org1.peers.event_silence: applies to clients, and 'Org1.peers' selects none"},
      {"NodesClientKeyOnTheOrderers", kBase + "nodes:\n  orderers: {commit_timeout: 1s}\n",
       "t.yaml:8:30: nodes.orderers.commit_timeout: applies to clients, and 'orderers' selects none"},
      {"NodesTimeoutMustBePositive", kBase + "nodes:\n  clients: {commit_timeout: 0s}\n",
       "t.yaml:8:29: nodes.clients.commit_timeout: expected a positive duration (got '0s')"},
      {"NodesTimeoutCannotBeNegative", kBase + "nodes:\n  clients: {endorsement_timeout: -5s}\n",
       "t.yaml:8:34: nodes.clients.endorsement_timeout: expected a positive duration; durations here cannot be "
       "negative (got '-5s')"},
      {"NodesDeliverRetryMustBePositive", kBase + "nodes:\n  peers: {deliver_retry: 0}\n",
       "t.yaml:8:26: nodes.peers.deliver_retry: expected a positive duration (got '0')"},
      {"NodesBackoffCannotBeNegative", kBase + "nodes:\n  clients: {endorser_backoff: -1s}\n",
       "t.yaml:8:31: nodes.clients.endorser_backoff: expected a non-negative duration; durations here cannot be "
       "negative (got '-1s')"},
      {"NodesSettingIsAValue", kBase + "nodes:\n  peers: {cores: [4]}\n",
       "t.yaml:8:18: nodes.peers.cores: expected a whole number from 1 to 1024 (got a list)"},
      // ---- workload ------------------------------------------------------------------
      {"ZeroRateRejected", kWithChaincode + "workload:\n  - {rate: 0tps, mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:12: workload.0.rate: expected a rate above 0 (got '0tps')"},
      {"RateUnitError", kWithChaincode + "workload:\n  - {rate: 200, mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:12: workload.0.rate: '200' is not a valid rate (expected a number with tps or /s, e.g. 200tps)"},
      {"GeneratorNeedsOneKind", kWithChaincode + "workload:\n  - {mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:5: workload.0: a generator needs exactly one of rate (open loop), phases (a ramp), outstanding "
       "(closed "
       "loop) or transactions (scripted) (got none)"},
      {"GeneratorHasOnlyOneKind",
       kWithChaincode + "workload:\n  - {rate: 1tps, outstanding: 2, mix: [{function: put, args: [k, v]}]}\n",
       "(got rate and outstanding)"},
      {"GeneratorKeyOfAnotherKind",
       kWithChaincode + "workload:\n  - {outstanding: 2, arrival: fixed, mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:22: workload.0: key 'arrival' does not apply to a closed-loop generator (outstanding)"},
      {"GeneratorUnknownChaincode",
       kWithChaincode + "workload:\n  - {rate: 1tps, chaincode: kb, mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:29: workload.0.chaincode: unknown chaincode 'kb' (did you mean 'kv'?)"},
      {"GeneratorClientCountAboveClients",
       kWithChaincode + "workload:\n  - {rate: 1tps, clients: 3, mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:27: workload.0.clients: expected a whole number from 1 to 2 (got '3')"},
      {"GeneratorClientIsAPeer",
       kWithChaincode + "workload:\n  - {rate: 1tps, clients: [Org1.peer0], mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:28: workload.0.clients.0: 'Org1.peer0' is a peer, not a client"},
      {"GeneratorClientNotOnTheChannel",
       kBase + "channels: [{name: ch, orgs: [Org1]}]\nchaincodes: [{name: kv, kind: kvstore}]\nworkload:\n"
               "  - {rate: 1tps, clients: [Org2], mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:28: workload.0.clients.0: Org2.client0 is a client of Org2, which is not on channel 'ch' of "
       "chaincode 'kv'"},
      {"ScriptedClientNotOnTheChannel",
       kBase + "channels: [{name: ch, orgs: [Org1]}]\nchaincodes: [{name: kv, kind: kvstore}]\nworkload:\n"
               "  - transactions: [{id: a, at: 1s, client: Org2.client0, function: put, args: [k, v]}]\n",
       "t.yaml:10:44: workload.0.transactions.0.client: Org2.client0 is a client of Org2, which is not on channel 'ch' "
       "of "
       "chaincode 'kv'"},
      {"GeneratorEndBeforeStart",
       kWithChaincode + "workload:\n  - {rate: 1tps, start: 10s, end: 5s, mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:35: workload.0.end: expected a time after start (10s)"},
      {"MixNeedsAFunction", kWithChaincode + "workload:\n  - {rate: 1tps, mix: []}\n",
       "t.yaml:10:23: workload.0.mix: expected at least one function"},
      {"UnknownPlaceholderPointsAtIt",
       kWithChaincode + "workload:\n  - {rate: 1tps, mix: [{function: put, args: [\"x{kye}\"]}]}\n",
       "t.yaml:10:49: workload.0.mix.0.args.0: malformed argument template: unknown placeholder '{kye}' (did you mean "
       "'{key}'?) at position 1"},
      {"Key2NeedsTwoKeys",
       kWithChaincode + "workload:\n  - {rate: 1tps, keys: {count: 1}, mix: [{function: put, args: [\"{key2}\"]}]}\n",
       "workload.0.mix.0.args.0: '{key2}' needs at least 2 keys (keys.count is 1)"},
      {"ThetaOnlyForZipf", kWithChaincode + "workload:\n  - {rate: 1tps, keys: {theta: 0.9}, mix: [{function: put, args: [k, v]}]}\n",
       "t.yaml:10:32: workload.0.keys.theta: 'theta' applies only to distribution: zipf"},
      {"PhasesPastTheDuration",
       kWithChaincode + "workload:\n  - {phases: [{duration: 40s, rate: 1tps}, {duration: 30s, rate: 2tps}], mix: "
                        "[{function: put, args: [k, v]}]}\n",
       "t.yaml:10:55: workload.0.phases.1.duration: the phases run past the scenario's duration (60s): this phase "
       "would end "
       "at 70s"},
      {"PhasesPastTheLargestTime",
       "name: t\nduration: 2500000h\nnetwork: {orgs: [{name: Org1}]}\nchaincodes: [{name: kv, kind: kvstore}]\n"
       "workload:\n  - {phases: [{duration: 2000000h, rate: 0.0001tps}, {duration: 2500000h, rate: 1tps}], mix: "
       "[{function: put, args: [k, v]}]}\n",
       "t.yaml:6:65: workload.0.phases.1.duration: the phases run past the scenario's duration (9000000000s): this "
       "phase would end after 9223372036.854775807s"},
      {"DuplicateScriptedTxId",
       kWithChaincode + "workload:\n  - transactions:\n      - {id: t1, at: 1s, client: Org1.client0, function: put, args: [k, v]}\n"
                        "      - {id: t1, at: 2s, client: Org1.client0, function: put, args: [k, v]}\n",
       "t.yaml:12:14: workload.0.transactions.1.id: duplicate transaction id 't1'"},
      {"ScriptedClientMustBeOneNode",
       kWithChaincode + "workload:\n  - transactions:\n      - {id: t1, at: 1s, client: Org1, function: put, args: [k, v]}\n",
       "t.yaml:11:34: workload.0.transactions.0.client: expected one client node such as Org1.client0 (got 'Org1')"},
      {"ScriptedAtAfterTheDuration",
       kWithChaincode +
           "workload:\n  - transactions:\n      - {id: t1, at: 61s, client: Org1.client0, function: put, args: [k, v]}\n",
       "t.yaml:11:22: workload.0.transactions.0.at: expected a time within the scenario's duration (60s) (got '61s')"},
      // ---- faults --------------------------------------------------------------------
      {"UnknownNodeInFault", kBase + "faults:\n  - {at: 1s, crash: Org1.peer9}\n",
       "t.yaml:8:21: faults.0.crash: unknown node or group 'Org1.peer9' (did you mean 'Org1.peer0'?)"},
      {"UnknownNodeInFaultList", kBase + "faults:\n  - {at: 1s, crash: [Org1.peer0, Org3]}\n",
       "t.yaml:8:34: faults.0.crash.1: unknown node or group 'Org3' (did you mean 'Org1'?)"},
      {"FaultNeedsAnAction", kBase + "faults:\n  - {at: 1s}\n", "t.yaml:8:5: faults.0: missing the fault's action"},
      {"FaultHasOneAction", kBase + "faults:\n  - {at: 1s, crash: Org1.peer0, pause: Org2.peer0}\n",
       "t.yaml:8:33: faults.0: a fault has one action; this one has 'crash' and 'pause' (write two faults)"},
      {"FaultAfterTheRun", kBase + "faults:\n  - {at: 71s, crash: Org1.peer0}\n",
       "t.yaml:8:10: faults.0.at: expected a time within the run (duration 60s + drain 10s = 70s) (got '71s')"},
      {"ForOnlyOnUndoableActions",
       kBase + "faults:\n  - {at: 1s, crash: Org1.peer0}\n  - {at: 2s, restart: Org1.peer0, for: 1s}\n",
       "t.yaml:9:40: faults.1.for: 'for' applies only to crash, power_loss, pause, partition and "
       "degrade (this fault is restart)"},
      {"ForUndoPastTheLargestTime",
       "name: t\nduration: 2500000h\nnetwork: {orgs: [{name: Org1}]}\nfaults:\n"
       "  - {at: 2400000h, crash: Org1.peer0, for: 2500000h}\n",
       "t.yaml:5:44: faults.0.for: at + for is too long (the undo would come after 9223372036.854775807s)"},
      {"OneWayOnlyOnPartition", kBase + "faults:\n  - {at: 1s, crash: Org1.peer0, one_way: true}\n",
       "t.yaml:8:42: faults.0.one_way: 'one_way' applies only to partition (this fault is crash)"},
      {"RestartOfANodeThatIsUp", kBase + "faults:\n  - {at: 1s, restart: Org1.peer0}\n",
       "t.yaml:8:23: faults.0.restart: restart of Org1.peer0 at 1s, which is up (since the start)"},
      {"CrashOfANodeAlreadyDown", kBase + "faults:\n  - {at: 1s, crash: Org1}\n  - {at: 2s, crash: Org1.peer0}\n",
       "t.yaml:9:21: faults.1.crash: crash of Org1.peer0 at 2s, which is already down (crashed at 1s by faults.0)"},
      {"PowerLossOfANodeThatIsDown",
       kBase + "faults:\n  - {at: 1s, crash: Org1.peer0, for: 5s}\n  - {at: 2s, power_loss: Org1.peer0}\n",
       "t.yaml:9:26: faults.1.power_loss: power_loss of Org1.peer0 at 2s, which is already down (crashed at 1s by "
       "faults.0)"},
      {"CrashOfANodeThatLostPower", kBase + "faults:\n  - {at: 1s, power_loss: orderer0}\n  - {at: 2s, crash: orderers}\n",
       "t.yaml:9:21: faults.1.crash: crash of orderer0 at 2s, which is already down (lost its power at 1s by faults.0)"},
      {"TimelineIsWalkedInTimeOrder",
       kBase + "faults:\n  - {at: 5s, restart: Org1.peer0}\n  - {at: 1s, crash: Org1.peer0}\n  - {at: 6s, restart: "
               "Org1.peer0}\n",
       "t.yaml:10:23: faults.2.restart: restart of Org1.peer0 at 6s, which is up (restarted at 5s by faults.0)"},
      {"ForUndoConflictsWithALaterRestart",
       kBase + "faults:\n  - {at: 1s, crash: Org1.peer0, for: 5s}\n  - {at: 3s, restart: Org1.peer0}\n",
       "t.yaml:8:38: faults.0.for: the restart at 6s that ends this crash conflicts: restart of Org1.peer0 at 6s, "
       "which is "
       "up (restarted at 3s by faults.1)"},
      {"PauseOfANodeThatIsDown", kBase + "faults:\n  - {at: 1s, crash: Org2.peer0}\n  - {at: 2s, pause: Org2}\n",
       "t.yaml:9:21: faults.1.pause: pause of Org2.peer0 at 2s, which is down (crashed at 1s by faults.0)"},
      {"ResumeOfANodeNotPaused", kBase + "faults:\n  - {at: 1s, resume: orderer0}\n",
       "t.yaml:8:22: faults.0.resume: resume of orderer0 at 1s, which is not paused (it is up, since the start)"},
      {"HealWithNoActivePartition", kBase + "faults:\n  - {at: 1s, heal: all}\n",
       "t.yaml:8:20: faults.0.heal: heal of every partition at 1s, but no partition is active"},
      {"HealOfAnUnknownLabel",
       kBase + "faults:\n  - {at: 1s, partition: [Org1, orderers], label: cut}\n  - {at: 2s, heal: cutt}\n",
       "t.yaml:9:20: faults.1.heal: no partition is labelled 'cutt' (did you mean 'cut'?)"},
      {"HealOfAPartitionNotYetMade",
       kBase + "faults:\n  - {at: 5s, partition: [Org1, orderers], label: cut}\n  - {at: 2s, heal: cut}\n",
       "t.yaml:9:20: faults.1.heal: heal of partition 'cut' at 2s, which is not active then"},
      {"PartitionSetsMustNotOverlap", kBase + "faults:\n  - {at: 1s, partition: [[Org1], [peers]]}\n",
       "t.yaml:8:34: faults.0.partition.1: node Org1.peer0 is in sets 0 and 1 of the partition; the sets must not "
       "overlap"},
      {"PartitionNeedsTwoSets", kBase + "faults:\n  - {at: 1s, partition: [Org1]}\n",
       "t.yaml:8:25: faults.0.partition: expected a list of two or more node sets, e.g. [[Org2], [orderers]] (got 1 "
       "set)"},
      {"DuplicatePartitionLabel",
       kBase + "faults:\n  - {at: 1s, partition: [Org1, Org2], label: p}\n  - {at: 2s, partition: [Org1, orderers], "
               "label: p}\n",
       "t.yaml:9:50: faults.1.label: duplicate partition label 'p'"},
      {"DegradeOfAPathAlreadyDegraded",
       kBase + "faults:\n  - {at: 1s, degrade: {between: [Org1, orderers], latency: 5ms}}\n"
               "  - {at: 2s, degrade: {between: [orderer0, Org1.peer0], loss: 0.1}}\n",
       "t.yaml:9:23: faults.1.degrade: degrade of the path Org1.peer0 - orderer0 at 2s, which is already degraded "
       "(degraded at 1s by faults.0)"},
      {"RestoreOfAPathNotDegraded", kBase + "faults:\n  - {at: 1s, restore: {between: [Org1, orderers]}}\n",
       "t.yaml:8:23: faults.0.restore: restore of the path Org1.peer0 - orderer0 at 1s, which is not degraded"},
      {"DegradeThatChangesNothing", kBase + "faults:\n  - {at: 1s, degrade: {between: [Org1, orderers]}}\n",
       "t.yaml:8:23: faults.0.degrade: the degradation changes nothing"},
      {"ClockOffsetUnknownNode", kBase + "faults:\n  - {at: 1s, clock_offset: {node: peer0, offset: -5ms}}\n",
       "t.yaml:8:35: faults.0.clock_offset.node: unknown node or group 'peer0' (did you mean 'peers'?)"},
      // ---- expect --------------------------------------------------------------------
      {"UnknownTxValidationCode", kBase + "expect:\n  invalid: {MVCC_CONFLICT: {min: 1}}\n",
       "t.yaml:8:13: expect.invalid: unknown TxValidationCode 'MVCC_CONFLICT' (did you mean 'MVCC_READ_CONFLICT'?)"},
      {"ValidIsNotAnInvalidationCode", kBase + "expect:\n  invalid: {VALID: {min: 1}}\n",
       "t.yaml:8:13: expect.invalid: VALID is not an invalidation code"},
      {"ExpectTxNamesAScriptedId",
       kWithChaincode + "workload:\n  - transactions:\n      - {id: t1, at: 1s, client: Org1.client0, function: put, args: [k, v]}\n"
                        "expect:\n  tx: {t2: VALID}\n",
       "t.yaml:13:8: expect.tx: unknown scripted transaction 't2' (did you mean 't1'?)"},
      {"ExpectTxCodeName",
       kWithChaincode + "workload:\n  - transactions:\n      - {id: t1, at: 1s, client: Org1.client0, function: put, args: [k, v]}\n"
                        "expect:\n  tx: {t1: VALIDD}\n",
       "t.yaml:13:12: expect.tx.t1: unknown TxValidationCode 'VALIDD' (did you mean 'VALID'?)"},
      {"ExpectMaxBelowMin", kBase + "expect:\n  latency_p99: {min: 2s, max: 1s}\n",
       "t.yaml:8:31: expect.latency_p99.max: expected max >= min (got max below min)"},
      {"ExpectBoundsNeedMinOrMax", kBase + "expect:\n  committed: {}\n",
       "t.yaml:8:14: expect.committed: expected min, max or both (got neither)"},
      {"InvariantsHoldOrIgnore", kBase + "expect: {invariants: broken}\n",
       "t.yaml:7:22: expect.invariants: expected hold or ignore (got 'broken')"},
  };
}

class ScenarioLoaderErrors : public testing::TestWithParam<ErrorCase> {};

TEST_P(ScenarioLoaderErrors, GivesOneLocatedMessage) {
  const ErrorCase& c = GetParam();
  auto r = load_scenario_text(c.yaml, "t.yaml");
  ASSERT_FALSE(r.is_ok()) << "loaded, but expected: " << c.expected;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
      << "message:  " << r.status().message() << "\nexpected: " << c.expected;
  EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "one line: " << r.status().message();
}

INSTANTIATE_TEST_SUITE_P(ScenarioRules, ScenarioLoaderErrors, testing::ValuesIn(error_cases()),
                         [](const testing::TestParamInfo<ErrorCase>& i) { return std::string(i.param.name); });

TEST(ScenarioLoaderErrorsCosts, UnknownCostNameSuggestsAKnownOne) {
  LoaderOptions opts;
  opts.cost_names = {"vscc_per_signature", "endorse_sign", "block_fsync"};
  auto r = load_scenario_text(kBase + "costs:\n  Org1: {vscc_per_signatures: 1ms}\n", "t.yaml", {}, opts);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().message(),
            "t.yaml:8:10: costs.Org1: unknown cost 'vscc_per_signatures' (did you mean 'vscc_per_signature'?)");
}

TEST(ScenarioLoaderErrorsCosts, VariabilitySigmaIsANumberFromZeroToThree) {
  LoaderOptions opts;
  opts.cost_names = {"fsync"};
  const struct {
    const char* name;
    std::string costs;
    std::string expected;
  } cases[] = {
      {"above three", "  all: {variability_sigma: 3.5}\n", "t.yaml:8:28: costs.all.variability_sigma:"},
      {"negative", "  peers: {variability_sigma: -0.1}\n", "t.yaml:8:30: costs.peers.variability_sigma:"},
      {"not a number", "  all: {variability_sigma: high}\n", "t.yaml:8:28: costs.all.variability_sigma:"},
      {"misspelt, with a suggestion", "  all: {variability_sigm: 0.2}\n",
       "t.yaml:8:9: costs.all: unknown cost 'variability_sigm' (did you mean 'variability_sigma'?)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = load_scenario_text(kBase + "costs:\n" + c.costs, "t.yaml", {}, opts);
    ASSERT_FALSE(r.is_ok());
    EXPECT_EQ(r.status().message().rfind(c.expected, 0), 0u) << r.status().message();
  }
}

TEST(ScenarioLoaderErrorsCosts, CostValueIsADuration) {
  LoaderOptions opts;
  opts.cost_names = {"block_fsync"};
  auto r = load_scenario_text(kBase + "costs:\n  all: {block_fsync: fast}\n", "t.yaml", {}, opts);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(
      r.status().message(),
      "t.yaml:8:22: costs.all.block_fsync: 'fast' is not a valid duration (expected a number with ns, us, ms, s, m "
      "or h, e.g. 500ms)");
}

TEST(ScenarioLoaderErrorsChaincodeKinds, KindsComeFromTheOptionsWhenGiven) {
  LoaderOptions opts;
  opts.chaincode_kinds = {"custom"};
  EXPECT_TRUE(load_scenario_text(kBase + "chaincodes: [{name: c, kind: custom}]\n", "t.yaml", {}, opts).is_ok());
  auto r = load_scenario_text(kBase + "chaincodes: [{name: c, kind: kvstore}]\n", "t.yaml", {}, opts);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("unknown chaincode kind 'kvstore'"), std::string::npos) << r.status().message();
}

TEST(ScenarioLoaderErrorsFile, MissingFileIsNotFound) {
  auto r = load_scenario_file("/nonexistent/dir/x.yaml");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "/nonexistent/dir/x.yaml: cannot open the scenario file: No such file or directory");
}

TEST(ScenarioLoaderErrorsFile, DirectoryIsNotAScenarioFile) {
  auto r = load_scenario_file(FABSIM_SOURCE_DIR "/scenarios");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), FABSIM_SOURCE_DIR "/scenarios: is a directory, not a scenario file");
}

}  // namespace
}  // namespace fabsim::scenario
