// Protobuf bytes in and out, one way for the whole model layer.
//
// marshal(): deterministic wire bytes. The messages fabsim hashes, signs or ships are
// written field by field in field-number order, like Go's proto.Marshal that Fabric uses;
// serializing through a CodedOutputStream with SetSerializationDeterministic(true) keeps
// the bytes fixed even for messages with map fields (ChaincodeProposalPayload.TransientMap,
// ChaincodeInput.decorations), whose default C++ order varies between processes.
// parse(): false when the bytes are not a message of that type.
#pragma once

#include <google/protobuf/message_lite.h>

#include <string>
#include <string_view>

namespace fabsim::protoutil {

std::string marshal(const google::protobuf::MessageLite& message);

template <typename M>
bool parse(M* out, std::string_view bytes) {
  return out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

}  // namespace fabsim::protoutil
