// Whether this test binary is built with AddressSanitizer (make test-asan), where each run
// is several times slower: randomized tests run fewer inputs there.
#pragma once

namespace fabsim::testing_support {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace fabsim::testing_support
