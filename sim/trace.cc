#include "sim/trace.h"

#include <fmt/format.h>

namespace fabsim {

const char* trace_kind_name(TraceKind k) {
  switch (k) {
    case TraceKind::kStart: return "start";
    case TraceKind::kDeliver: return "deliver";
    case TraceKind::kTimer: return "timer";
    case TraceKind::kCall: return "call";
    case TraceKind::kSend: return "send";
    case TraceKind::kDrop: return "drop";
    case TraceKind::kPersist: return "persist";
    case TraceKind::kEmit: return "emit";
    case TraceKind::kFault: return "fault";
  }
  return "?";
}

std::string Trace::host_name(HostId h) const {
  if (h == kNoHost) return "-";
  if (names_ != nullptr && h < names_->size()) return (*names_)[h];
  return fmt::format("h{}", h);
}

std::string Trace::format_line(Time t, HostId host, TraceKind kind, std::string_view summary) const {
  return fmt::format("{:>14} {} {} {}", format_time(t), host_name(host), trace_kind_name(kind), summary);
}

}  // namespace fabsim
