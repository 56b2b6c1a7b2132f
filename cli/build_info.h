// What this fabsim is: its version (CMake's project version) and the git commit it was
// built from, for results.json ("fabsim") and `fabsim --version`.
//
// The commit is read when the build runs (cli/build_info.cmake), not when CMake configures,
// so that a rebuild after a commit records the new one: the full hash, with "-dirty"
// appended when tracked files differed from it; "unknown" outside a git checkout or
// without git.
#pragma once

namespace fabsim::cli {

const char* fabsim_version();  // "0.1.0"
const char* fabsim_commit();   // "3f2a...c9", "3f2a...c9-dirty" or "unknown"

}  // namespace fabsim::cli
