#!/usr/bin/env bash
# Layering check: which top-level directories each layer may include from.
#   core/     -> core
#   sim/      -> core, sim              (never model/)
#   model/    -> core, model            (never sim/)
#   analysis/ -> core, model, analysis (reads ledgers and outcomes; never sim/)
# scenarios/, cli/, bench/ and tests/ compose everything. Usage: check_layers.sh [ROOT]
set -uo pipefail
root=${1:-.}
status=0
check() {
  local layer=$1 allowed=$2
  [[ -d "$root/$layer" ]] || return 0
  while IFS= read -r -d '' f; do
    while IFS= read -r line; do
      inc=$(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^/"]+)\/.*/\1/p' <<<"${line#*:}")
      [[ -z "$inc" ]] && continue
      case " $allowed " in *" $inc "*) ;; *)
        echo "layering: ${f#"$root"/}:${line%%:*}: $layer/ must not include $inc/" >&2
        status=1 ;;
      esac
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" || true)
  done < <(find "$root/$layer" -type f \( -name '*.h' -o -name '*.cc' \) -print0 | sort -z)
}
check core "core"
check sim "core sim"
check model "core model"
check analysis "core model analysis"
if [[ $status -eq 0 ]]; then echo "layering: clean"; fi
exit $status
