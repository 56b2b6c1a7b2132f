#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace fabsim {
namespace {
AssertContextFn g_fn = nullptr;
const void* g_ctx = nullptr;
}  // namespace

void set_assert_context(AssertContextFn fn, const void* ctx) {
  g_fn = fn;
  g_ctx = ctx;
}

void clear_assert_context(const void* ctx) {
  if (g_ctx == ctx) {
    g_fn = nullptr;
    g_ctx = nullptr;
  }
}

void assert_fail(const char* cond, const char* file, int line, const std::string& msg) {
  std::fprintf(stderr, "fabsim: assertion failed: %s at %s:%d", cond, file, line);
  if (!msg.empty()) std::fprintf(stderr, ": %s", msg.c_str());
  if (g_fn != nullptr) std::fprintf(stderr, " [%s]", g_fn(g_ctx).c_str());
  std::fprintf(stderr, "\n");
  std::abort();
}

}  // namespace fabsim
