#!/usr/bin/env bash
# Renders a real report.html in headless Chromium and checks that every chart drew and the
# page logged nothing to the console (issue 11, item 3). Run by ctest as report.render:
#   tools/check_report_render.sh FABSIM_BINARY OUTPUT_DIR
# It runs `fabsim run scenarios/peer-crash.yaml --out OUTPUT_DIR/run`, opens
# OUTPUT_DIR/run/report.html from file:// (no network), reads the marker the page sets on
# <body> (analysis/html_page.h: data-charts-status, -expected, -drawn, data-chart-errors)
# from the DOM after rendering, and keeps a screenshot, OUTPUT_DIR/report.png.
# As a control, a copy of the page with one chart's type broken must be reported as failed,
# so a checker that passes everything fails here.
# Chromium runs with --no-sandbox (it runs as root in CI) and a fresh --user-data-dir;
# --virtual-time-budget lets the page settle without depending on the machine's speed.
set -euo pipefail

if (($# != 2)); then
  echo "usage: $0 FABSIM_BINARY OUTPUT_DIR" >&2
  exit 2
fi
fabsim=$1
out=$2
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
  echo "check_report_render: $chromium not found; install Debian's chromium (tools/bootstrap.sh)" >&2
  exit 1
fi

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

"$fabsim" run scenarios/peer-crash.yaml --out "$out/run" > "$out/run.txt"
page="$out/run/report.html"
[[ -s "$page" ]] || { echo "check_report_render: $page was not written" >&2; exit 1; }

# chrome FILE ARGS...: Chromium headless on FILE; its stderr (console lines) into $out/chromium.log.
chrome() {
  local file=$1
  shift
  rm -rf "$profile"/*
  timeout 300 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run --no-default-browser-check \
    --disable-extensions --disable-background-networking --user-data-dir="$profile" \
    --virtual-time-budget=60000 --enable-logging=stderr --v=0 "$@" "file://$file" 2>> "$out/chromium.log"
}

# attribute NAME DOM: the value of NAME on <body> in DOM ("" when absent).
attribute() {
  { grep -o '<body[^>]*>' <<< "$2" || true; } | head -1 | sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p"
}

# check FILE: 0 when every chart in FILE drew and nothing was logged to the console,
# else 1 with the reason on stderr.
check() {
  local file=$1 dom status expected drawn errors console
  : > "$out/chromium.log"
  if ! chrome "$file" --dump-dom > "$out/$(basename "$file").dom"; then
    echo "check_report_render: chromium failed or timed out on $file; its log: $out/chromium.log" >&2
    return 1
  fi
  dom=$(cat "$out/$(basename "$file").dom")
  status=$(attribute data-charts-status "$dom")
  expected=$(attribute data-charts-expected "$dom")
  drawn=$(attribute data-charts-drawn "$dom")
  errors=$(attribute data-chart-errors "$dom")
  console=$(grep -a 'CONSOLE' "$out/chromium.log" || true)
  echo "$(basename "$file"): status=${status:-none} charts drawn=${drawn:-?}/${expected:-?}"
  if [[ -n "$console" ]]; then
    echo "check_report_render: console output from $file:" >&2
    echo "$console" >&2
    return 1
  fi
  if [[ "$status" != done || -z "$expected" || "$expected" -eq 0 || "$drawn" != "$expected" ]]; then
    echo "check_report_render: $file: charts did not all draw (status '${status:-none}'${errors:+, errors: $errors})" >&2
    return 1
  fi
  return 0
}

check "$page"

# The page's height, for a screenshot of all of it.
height=$(attribute data-page-height "$(cat "$out/report.html.dom")")
[[ "$height" =~ ^[0-9]+$ ]] || height=4000
if ! chrome "$page" --hide-scrollbars --window-size=1280,"$height" --screenshot="$out/report.png" > /dev/null ||
   [[ ! -s "$out/report.png" ]]; then
  echo "check_report_render: no screenshot; chromium's log: $out/chromium.log" >&2
  exit 1
fi
echo "screenshot: $out/report.png"

# The control: a chart of an unknown type must be reported.
broken="$out/broken.html"
sed 's/data-chart="chart-0">{"type":"[a-z]*"/data-chart="chart-0">{"type":"no-such-chart-type"/' "$page" > "$broken"
if cmp -s "$page" "$broken"; then
  echo "check_report_render: the control found no chart to break" >&2
  exit 1
fi
if check "$broken" 2> "$out/control.txt"; then
  echo "check_report_render: a page with a broken chart passed the check" >&2
  exit 1
fi
echo "control: a page with a broken chart is reported:"
sed "s/^/  /" "$out/control.txt"
