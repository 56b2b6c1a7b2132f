// Deterministic protobuf serialization for everything the chaincode layer hashes or ships:
// the merkle leaves (serialized QueryReads) and the per-namespace KVRWSet bytes inside a
// TxReadWriteSet.
//
// The messages involved (kvrwset.*, rwset.*) hold no maps, so the C++ runtime already
// writes fields in field-number order, exactly like Go's proto.Marshal that Fabric uses.
// We still serialize through a CodedOutputStream with SetSerializationDeterministic(true)
// so that the byte form stays fixed even if a map field is ever added to one of them.
#pragma once

#include <google/protobuf/message_lite.h>

#include <string>

namespace fabsim::chaincode {

// The deterministic wire bytes of `message`.
std::string serialize_deterministic(const google::protobuf::MessageLite& message);

}  // namespace fabsim::chaincode
