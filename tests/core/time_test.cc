#include <gtest/gtest.h>

#include "core/time.h"

namespace fabsim {
namespace {

struct FormatCase {
  const char* name;
  int64_t ns;
  const char* expected;
};

class FormatDuration : public testing::TestWithParam<FormatCase> {};

TEST_P(FormatDuration, PrintsExactValueInLargestUnit) {
  EXPECT_EQ(format_duration(Duration::nanos(GetParam().ns)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, FormatDuration,
    testing::Values(FormatCase{"ZeroIsZeroSeconds", 0, "0s"}, FormatCase{"NanosecondsBelowOneMicro", 999, "999ns"},
                    FormatCase{"MicrosWithFraction", 1500, "1.5us"}, FormatCase{"WholeMillis", 3'000'000, "3ms"},
                    FormatCase{"FractionKeepsEveryDigit", 1'234'567, "1.234567ms"},
                    FormatCase{"WholeSeconds", 2'000'000'000, "2s"}, FormatCase{"LongRunsStayInSeconds", 90'000'000'000, "90s"},
                    FormatCase{"SecondsWithNanos", 1'000'000'001, "1.000000001s"},
                    FormatCase{"NegativeKeepsSign", -3'000'000, "-3ms"},
                    FormatCase{"MinimumInt64", INT64_MIN, "-9223372036.854775808s"}),
    [](const testing::TestParamInfo<FormatCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace fabsim
