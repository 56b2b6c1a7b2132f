#include "model/protoutil/proto_io.h"

#include <climits>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "core/assert.h"

namespace fabsim::protoutil {

std::string marshal(const google::protobuf::MessageLite& message) {
  // The size first, then one write into a string of exactly that size: no regrowth and
  // no copy of large messages (blocks, envelopes) while serializing.
  const size_t size = message.ByteSizeLong();
  FABSIM_ASSERT_MSG(size <= static_cast<size_t>(INT_MAX), "a protobuf message over 2 GiB cannot be serialized");
  std::string bytes(size, '\0');
  {
    google::protobuf::io::ArrayOutputStream stream(bytes.data(), static_cast<int>(size));
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);  // uses the sizes ByteSizeLong() just cached
    coded.Trim();                              // the stream's buffered tail into `bytes`
    // A well-formed proto3 message always serializes, to exactly its computed size.
    FABSIM_ASSERT(!coded.HadError() && static_cast<size_t>(coded.ByteCount()) == size);
  }
  return bytes;
}

}  // namespace fabsim::protoutil
