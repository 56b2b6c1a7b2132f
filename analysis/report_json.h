// Reading a results.json object that may be old, partial or hand-edited, and writing its
// values for people: the helpers the HTML report (report_html.h) is made of.
//
// Every accessor takes a possibly-null pointer and answers "absent" (nullptr, nullopt, an
// empty string) for a missing key or a value of another type, so callers never throw on a
// file's shape.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace fabsim::report {

using Json = nlohmann::ordered_json;

// The value at `path` below `j` (object keys), or nullptr.
const Json* find(const Json* j, std::initializer_list<std::string_view> path);
// The value if it is an array (object), else nullptr.
const Json* array(const Json* j);
const Json* object(const Json* j);
std::optional<double> number(const Json* j);
// A string as itself, an integer exactly, a float with up to 6 significant digits, a bool
// as true/false; "" for null, absent, arrays and objects.
std::string scalar(const Json* j);
// An array's numbers (null or non-numbers become nullopt).
std::vector<std::optional<double>> numbers(const Json* j);

// A duration in nanoseconds with three significant digits and a unit: "850 ns", "3.52 ms",
// "1.29 s", "125 s". "-" when absent.
std::string readable_ns(std::optional<double> ns);
// A duration in nanoseconds as seconds with three decimals ("1.291"); "-" when absent.
std::string seconds_3(std::optional<double> ns);
// A rate or other real with one decimal ("312.5"); "-" when absent.
std::string decimal_1(std::optional<double> v);

// A unit to plot durations in, chosen so the largest value reads between 1 and 1000.
struct TimeUnit {
  double ns_per_unit;
  const char* name;  // "s", "ms", "µs", "ns"
};
TimeUnit unit_for(double max_ns);

}  // namespace fabsim::report
