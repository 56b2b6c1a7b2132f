#!/usr/bin/env bash
# Fuzzes scenario files and `fabsim run` arguments with libFuzzer under AddressSanitizer and
# UndefinedBehaviorSanitizer (docs/performance.md, "Fuzzing"). Kept out of the normal build:
# it builds its own tree with clang (build-fuzz/), from Debian's clang-14 and
# libclang-rt-14-dev (installed here when missing).
#
#   tools/fuzz.sh [RUNS] [libFuzzer flags...]      default: 1000000 runs, one process
#
# The target (tests/fuzz/scenario_fuzz_target.h) takes a scenario text, then NUL-separated
# arguments of `fabsim run`. The seed corpus is every shipped scenario (scenarios/*.yaml,
# tests/scenarios/*.yaml), every ```yaml block of README.md and docs/*.md, and
# tests/fuzz/corpus/ (inputs with arguments, and every input the fuzzer found). New inputs
# go to build-fuzz/corpus/; a crash, leak, timeout or out-of-memory input is written to
# build-fuzz/artifacts/ — fix it, then copy it into tests/fuzz/corpus/ so that the replay
# test of the normal build (ctest fuzz.replay) keeps it fixed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-1000000}
shift || true
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}

for p in clang-14 libclang-rt-14-dev; do
  if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) != "install ok installed" ]]; then
    echo "fuzz: installing $p" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$p" >&2
  fi
done
"$root/tools/bootstrap.sh"

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Fuzz -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_CXX_FLAGS_FUZZ="-O1 -g" -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
  -DFABSIM_SANITIZE=ON -DFABSIM_FUZZ=ON "${launcher[@]}" >/dev/null
cmake --build "$build" --target fabsim_fuzz -j "${FUZZ_BUILD_JOBS:-$(nproc)}"

seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds" "$build/corpus" "$build/artifacts"
cp "$root"/scenarios/*.yaml "$root"/tests/scenarios/*.yaml "$root"/tests/fuzz/corpus/* "$seeds/"
for md in "$root"/README.md "$root"/docs/*.md; do
  awk -v out="$seeds/$(basename "$md" .md)" '
    /^```yaml/ { inside = 1; n++; file = out "-" n ".yaml"; printf "" > file; next }
    /^```/ && inside { inside = 0; close(file); next }
    inside { print >> file }' "$md"
done

cd "$build"
exec ./tests/fabsim_fuzz corpus seeds -runs="$runs" -timeout=10 -rss_limit_mb=4096 \
  -max_len=8192 -dict="$root/tests/fuzz/scenario.dict" -artifact_prefix=artifacts/ -print_final_stats=1 "$@"
