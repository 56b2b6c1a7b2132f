// FABSIM_ASSERT: invariant checks that stay on in release builds. A failure prints the
// condition, the source location and the simulation context (seed, virtual time, host,
// event number) registered by whoever drives the run, then aborts. Use it for programmer
// errors only; expected failures are Status values (core/status.h).
#pragma once

#include <string>

namespace fabsim {

// Whoever owns the run (the kernel) installs a provider that describes "where we are".
// It returns e.g. "seed=42 t=1.5ms host=3 event=1234". Not thread-safe by design: fabsim
// is single-threaded.
using AssertContextFn = std::string (*)(const void* ctx);
void set_assert_context(AssertContextFn fn, const void* ctx);
void clear_assert_context(const void* ctx);

[[noreturn]] void assert_fail(const char* cond, const char* file, int line, const std::string& msg);

}  // namespace fabsim

#define FABSIM_ASSERT(cond)                                              \
  do {                                                                   \
    if (!(cond)) [[unlikely]] ::fabsim::assert_fail(#cond, __FILE__, __LINE__, {}); \
  } while (0)

#define FABSIM_ASSERT_MSG(cond, msg)                                     \
  do {                                                                   \
    if (!(cond)) [[unlikely]] ::fabsim::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
