#include "model/protoutil/proto_io.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "core/assert.h"

namespace fabsim::protoutil {

std::string marshal(const google::protobuf::MessageLite& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    // Serializing a well-formed proto3 message into a string cannot fail.
    const bool ok = message.SerializeToCodedStream(&coded);
    FABSIM_ASSERT(ok);
  }  // the CodedOutputStream flushes into `bytes` when it goes out of scope
  return bytes;
}

}  // namespace fabsim::protoutil
