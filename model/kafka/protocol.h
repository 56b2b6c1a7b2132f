// The Kafka wire protocol between fabsim's virtual brokers (broker.h) and clients
// (producer.h, consumer.h): message kinds (core/node.h Message::kind) and payloads, all
// from core/proto/fabsim/kafka.proto. Every request carries a correlation id (field 1) that
// its response repeats.
//
//   client -> broker   kProduce          kafka.ProduceRequest -> kProduceResponse
//   any    -> broker   kFetch            kafka.FetchRequest (replica_id -1: a consumer)
//                                         -> kFetchResponse
//   broker -> broker   kEpochRequest     kafka.OffsetsForLeaderEpochRequest -> kEpochResponse
//   ctrl   -> broker   kLeaderAndIsr     kafka.LeaderAndIsrRequest -> kControllerResponse
//   ctrl   -> broker   kUpdateMetadata   kafka.UpdateMetadataRequest -> kControllerResponse
//   client -> broker   kMetadata         kafka.MetadataRequest -> kMetadataResponse
#pragma once

#include <cstdint>

namespace fabsim::kafka {

enum MessageKind : uint32_t {
  kProduce = 300,
  kProduceResponse = 301,
  kFetch = 302,
  kFetchResponse = 303,
  kEpochRequest = 304,
  kEpochResponse = 305,
  kLeaderAndIsr = 306,
  kUpdateMetadata = 307,
  kControllerResponse = 308,
  kMetadata = 309,
  kMetadataResponse = 310,
};

inline bool is_kafka_response(uint32_t kind) {
  return kind == kProduceResponse || kind == kFetchResponse || kind == kEpochResponse || kind == kControllerResponse ||
         kind == kMetadataResponse;
}

}  // namespace fabsim::kafka
