// The fuzz target over scenario files and `fabsim run` arguments (tools/fuzz.sh,
// docs/performance.md "Fuzzing").
//
// One input is a scenario text, then optionally a NUL byte and the arguments of
// `fabsim run FILE ...`, NUL-separated: "name: x\n...\0--seed\0007\0--set\0a.b=c".
// The arguments are parsed by the real option set (cli::add_run_options) and checked as
// `fabsim run` checks them before anything runs; the text is loaded with the `--set`
// overrides and the seed, as the command loads a file. A loaded scenario's resolved form is
// then written as results.json writes it (cli::results_json over an empty report), so
// text that could not be written as JSON is found here rather than after a run.
//
// A refusal (a parse error, a located load error) is an expected outcome. Anything else
// that goes wrong — an exception escaping, an error message that is empty, spans lines or
// is not UTF-8, a sanitizer report — ends the process (std::abort), which is what the
// fuzzing engine counts as a crash.
#pragma once

#include <cstddef>
#include <cstdint>

// libFuzzer's entry point; the regression replay (replay_main.cc) calls it too.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
