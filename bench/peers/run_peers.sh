#!/usr/bin/env bash
# Timer storm: fabsim's BM_TimerStorm against the same storm on ns-3 3.37's schedulers.
# See bench/peers/README.md. Run from anywhere: bench/peers/run_peers.sh
#
# Environment (all optional):
#   REPETITIONS=5        repetitions for both sides (median reported)
#   NS3_EVENTS=10000000  events per ns-3 repetition; must match BM_TimerStorm (10,000,000)
#                        for a like-for-like comparison; lower it only to smoke-test the script
#   NS3_SCHEDULERS="map priority heap"   ns-3 schedulers to run (map is ns-3's default)
#   FABSIM_BENCH=path    benchmark binary (default build/bench/fabsim_bench, built by
#                        `make build`); when set, the script uses it as is and builds nothing
#
# Installs libns3-dev (and `time`) with apt-get only if missing: ns-3 is a peer-only
# dependency that tools/bootstrap.sh and CI never install.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

REPETITIONS=${REPETITIONS:-5}
NS3_EVENTS=${NS3_EVENTS:-10000000}
NS3_SCHEDULERS=${NS3_SCHEDULERS:-map priority heap}
FABSIM_EVENTS=10000000 # BM_TimerStorm's fixed event count
work=build/peers       # build/ is git-ignored
mkdir -p "$work"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

step="start"
trap 'echo "run_peers: FAILED during: $step (see messages above)" >&2' ERR
die() {
  echo "run_peers: error: $*" >&2
  exit 1
}
commands=() # every measured command, printed verbatim at the end
record() {
  local c
  c=$(printf '%q ' "$@")
  commands+=("${c% }")
}

installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]; }
apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    die "package(s) $* missing and not root; install them: apt-get install -y $*"
  fi
  echo "run_peers: installing $* (peer-only dependency)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "$@" >&2
}

# --- 1. peer-only dependencies ---------------------------------------------------------
step="installing peer dependencies"
missing=()
installed libns3-dev || missing+=(libns3-dev)
installed pkg-config || missing+=(pkg-config)
[[ -x /usr/bin/time ]] || missing+=(time)
if ((${#missing[@]} > 0)); then apt_install "${missing[@]}"; fi
command -v python3 >/dev/null || die "python3 is required to parse the benchmark JSON"
pkg-config --exists ns3-core || die "pkg-config does not know ns3-core (pkg-config --list-all | grep ns3)"

# --- 2. the ns-3 program ----------------------------------------------------------------
step="compiling bench/peers/ns3_timer_storm.cc"
ns3_bin=$work/ns3_timer_storm
# Not the full `pkg-config --cflags --libs ns3-core`: Debian's ns3-core.pc has a stray
# "-I/usr;" and lists /usr/lib/.../libgsl.so, a libgsl-dev file that libns3-dev does not
# depend on (libns3-core.so links GSL itself). Its include dir and -L/-l flags suffice.
ns3_cflags="-I$(pkg-config --variable=includedir ns3-core)"
read -r -a ns3_libs <<<"$(pkg-config --libs-only-L --libs-only-l ns3-core)"
compile=(g++ -std=c++20 -O2 bench/peers/ns3_timer_storm.cc -o "$ns3_bin"
  "$ns3_cflags" "${ns3_libs[@]}")
record "${compile[@]}"
"${compile[@]}" || die "compiling the ns-3 peer failed"
ns3_version=$(pkg-config --modversion ns3-core)

# --- 3. fabsim's benchmark --------------------------------------------------------------
step="building fabsim_bench"
if [[ -n "${FABSIM_BENCH:-}" ]]; then
  bench=$FABSIM_BENCH
  echo "run_peers: using FABSIM_BENCH=$bench as is (not building)" >&2
else
  bench=build/bench/fabsim_bench
  if [[ ! -x "$bench" ]]; then
    make build || die "make build failed"
  fi
fi
[[ -x "$bench" ]] || die "$bench does not exist or is not executable"

step="running fabsim BM_TimerStorm"
fabsim_json=$work/fabsim_timer_storm.json
run_fabsim=("$bench" --benchmark_filter=BM_TimerStorm --benchmark_repetitions="$REPETITIONS"
  --benchmark_format=json)
record "${run_fabsim[@]}"
echo "run_peers: ${commands[-1]}" >&2
"${run_fabsim[@]}" >"$fabsim_json" || die "$bench failed"

# The timer counts to run on ns-3 are the ones fabsim's benchmark ran.
step="parsing $fabsim_json"
timer_counts=$(python3 - "$fabsim_json" <<'EOF'
import json, re, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError as e:
    sys.exit(f"not Google Benchmark JSON ({e}); did the filter match BM_TimerStorm?")
ns = sorted({int(m.group(1)) for b in doc.get("benchmarks", [])
             if (m := re.match(r"BM_TimerStorm/(\d+)(/|$)", b.get("run_name", b["name"])))})
if not ns:
    sys.exit("no BM_TimerStorm/<N> results in the JSON")
print(" ".join(map(str, ns)))
EOF
) || die "could not read BM_TimerStorm results from $fabsim_json"

# --- 4. ns-3, same timer counts and repetitions, right after ----------------------------
for n in $timer_counts; do
  for s in $NS3_SCHEDULERS; do
    step="running ns-3 $s scheduler with $n timers"
    run_ns3=("$ns3_bin" --scheduler="$s" --timers="$n" --events="$NS3_EVENTS"
      --repetitions="$REPETITIONS")
    record "${run_ns3[@]}"
    echo "run_peers: ${commands[-1]}" >&2
    "${run_ns3[@]}" >"$work/ns3_${s}_${n}.txt" || die "ns-3 peer failed ($s, $n timers)"
  done
done

# --- 5. peak memory of the fabsim 1,000-timer storm, in its own process -----------------
step="measuring max RSS of BM_TimerStorm/1000"
rss_json=$work/fabsim_timer_storm_1000_rss.json
rss_file=$work/fabsim_timer_storm_1000_rss.txt
run_rss=(/usr/bin/time -o "$rss_file" -f %M "$bench" --benchmark_filter='BM_TimerStorm/1000$'
  --benchmark_repetitions=1 --benchmark_format=json)
record "${run_rss[@]}"
echo "run_peers: ${commands[-1]}" >&2
"${run_rss[@]}" >"$rss_json" || die "$bench failed under /usr/bin/time"
grep -q '"BM_TimerStorm/1000"' "$rss_json" ||
  die "the max RSS run did not run BM_TimerStorm/1000 (filter 'BM_TimerStorm/1000\$' matched nothing?)"
rss_kib=$(tail -n 1 "$rss_file")
[[ "$rss_kib" =~ ^[0-9]+$ ]] || die "unexpected /usr/bin/time output in $rss_file: $rss_kib"

# --- 6. report ----------------------------------------------------------------------------
step="printing the report"
cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
echo
echo "== Timer storm: fabsim vs ns-3 $ns3_version ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "machine: nproc=$(nproc), CPU: ${cpu_model:-unknown}, kernel $(uname -r)"
echo "load average: $load_start at start, $(cut -d' ' -f1-3 /proc/loadavg) at end (1/5/15 min; the machine may be shared)"
echo "fabsim commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ "$NS3_EVENTS" != "$FABSIM_EVENTS" ]]; then
  echo "WARNING: ns-3 ran $NS3_EVENTS events per repetition, BM_TimerStorm runs $FABSIM_EVENTS:" \
    "not a like-for-like comparison"
fi
echo
python3 - "$fabsim_json" "$work" "$NS3_SCHEDULERS" "$timer_counts" "$NS3_EVENTS" "$FABSIM_EVENTS" <<'EOF'
import json, re, statistics, sys
fabsim_json, work, scheds, counts, ns3_events, fabsim_events = sys.argv[1:7]
scheds, counts = scheds.split(), [int(n) for n in counts.split()]

doc = json.load(open(fabsim_json))
# Google Benchmark's items_per_second is per CPU second (the benchmark does not set
# UseRealTime); the per-wall-second rate follows from its real and CPU times.
fabsim = {"cpu": {}, "wall": {}}
for b in doc["benchmarks"]:
    m = re.match(r"BM_TimerStorm/(\d+)(/|$)", b.get("run_name", b["name"]))
    if m and b.get("run_type", "iteration") == "iteration":
        if b.get("error_occurred"):
            sys.exit(f"fabsim {b['name']} reported an error: {b.get('error_message')}")
        if "items_per_second" not in b:
            sys.exit(f"fabsim {b['name']} has no items_per_second")
        n, ips = int(m.group(1)), b["items_per_second"]
        fabsim["cpu"].setdefault(n, []).append(ips)
        fabsim["wall"].setdefault(n, []).append(ips * b["cpu_time"] / b["real_time"])

ns3, end_ns, ns3_reps = {"cpu": {}, "wall": {}}, {}, "?"
for n in counts:
    for s in scheds:
        path = f"{work}/ns3_{s}_{n}.txt"
        summary = [l for l in open(path) if "median_events_per_second=" in l]
        if len(summary) != 1:
            sys.exit(f"no median line in {path}")
        kv = dict(f.split("=", 1) for f in summary[0].split())
        ns3["wall"][(s, n)] = float(kv["median_events_per_second"])
        ns3["cpu"][(s, n)] = float(kv["median_events_per_cpu_second"])
        end_ns.setdefault(n, set()).add(kv["end_ns"])
        ns3_reps = kv["repetitions"]
    if len(end_ns[n]) != 1:
        sys.exit(f"ns-3 schedulers disagree on the storm's end time for {n} timers: {end_ns[n]}")

def fmt(x):
    return f"{x / 1e6:.2f} M"

def table(kind):
    header = ["timers", "fabsim"] + [f"ns-3 {s}" for s in scheds] + ["fabsim / best(ns-3 map, priority)"]
    rows = []
    for n in counts:
        f = statistics.median(fabsim[kind][n])
        row = [str(n), fmt(f)] + [fmt(ns3[kind][(s, n)]) for s in scheds]
        peers = {s: ns3[kind][(s, n)] for s in ("map", "priority") if (s, n) in ns3[kind]}
        if peers:
            best = max(peers, key=peers.get)
            row.append(f"{f / peers[best]:.2f}x (vs {best})")
        else:
            row.append("n/a (map/priority not run)")
        rows.append(row)
    widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
    for r in [header] + rows:
        print(" | ".join(c.rjust(w) for c, w in zip(r, widths)))

fabsim_reps = sorted({len(v) for v in fabsim["cpu"].values()})
print(f"medians (fabsim: {'/'.join(map(str, fabsim_reps))} repetitions of {fabsim_events} events; "
      f"ns-3: {ns3_reps} repetitions of {ns3_events} events)")
print()
print("events per CPU second (fabsim: Google Benchmark's items_per_second; ns-3: thread CPU time of Run())")
table("cpu")
print()
print("events per wall-clock second (lower than the above when the machine is busy)")
table("wall")
EOF
echo
awk -v kib="$rss_kib" 'BEGIN {
  mib = kib / 1024
  printf "max RSS, BM_TimerStorm/1000 in its own process: %.1f MiB (target: under 16 MiB) -> %s\n",
    mib, (mib < 16 ? "within target" : "OVER TARGET") }'
echo
echo "raw results: $work/ (fabsim JSON, one ns-3 output per scheduler and timer count)"
echo "commands (from $repo):"
for c in "${commands[@]}"; do echo "  $c"; done
