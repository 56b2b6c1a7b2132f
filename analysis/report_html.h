// The HTML report of one run: report.html, written by `fabsim run --out DIR` next to
// results.json (docs/formats.md describes both).
//
// The report is made from the results.json object alone, so it can be rebuilt from a saved
// file and it shows nothing results.json does not hold. Sections: a Caliper-style summary
// table with the seed, the command that reproduces the run and the safety and expectation
// verdicts; fault periods; throughput, latency percentiles, failures and peer heights over
// time with fault periods shaded; the latency distribution; the phase breakdown; CPU, queue,
// disk and link utilisation per node over time; blocks by cut reason; a table per channel
// when there are several.
//
// Any field may be absent or of another type (a results.json from an older fabsim, a run
// without transactions, a hand-edited file): the section then says "no data" and names the
// field; rendering never throws on the input's shape.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace fabsim {

// The whole page (html_page.h), self-contained and offline.
std::string render_report_html(const nlohmann::ordered_json& results);

}  // namespace fabsim
