#!/usr/bin/env bash
# Determinism lint: core/, sim/ and model/ must not read a wall clock, start threads, or use
# the C library's or the standard library's randomness (their sequences differ between
# standard libraries and runs). Comments are ignored. Usage: lint_determinism.sh [ROOT]
set -uo pipefail
root=${1:-.}
pattern='system_clock|steady_clock|high_resolution_clock|gettimeofday|clock_gettime|std::thread|std::jthread|std::async|pthread_create|std::random_device|std::mt19937|std::minstd_rand|std::default_random_engine|std::ranlux|std::knuth_b|_distribution[[:space:]]*<|#[[:space:]]*include[[:space:]]*<random>|#[[:space:]]*include[[:space:]]*<thread>|(^|[^A-Za-z0-9_])s?rand[[:space:]]*\(|(^|[^A-Za-z0-9_.>])(std::|::)?time[[:space:]]*\([[:space:]]*(NULL|nullptr|0|&)'
status=0
while IFS= read -r -d '' f; do
  # Strip // comments (outside strings, well enough for our code) before matching.
  hits=$(sed -e 's://.*$::' "$f" | grep -nE "$pattern" || true)
  if [[ -n "$hits" ]]; then
    while IFS= read -r h; do
      echo "determinism lint: ${f#"$root"/}:${h%%:*}: ${h#*:}" >&2
    done <<<"$hits"
    status=1
  fi
done < <(find "$root/core" "$root/sim" "$root/model" -type f \( -name '*.h' -o -name '*.cc' -o -name '*.hpp' -o -name '*.cpp' \) -print0 2>/dev/null | sort -z)
if [[ $status -eq 0 ]]; then echo "determinism lint: clean"; fi
exit $status
