#!/usr/bin/env bash
# Installs the Debian 12 packages fabsim builds with, and nothing else.
# A fast no-op when everything is present; runs `apt-get update` only when it must install.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config
  libboost-graph-dev libfmt-dev libprotobuf-dev protobuf-compiler
  libssl-dev libleveldb-dev libsnappy-dev libbenchmark-dev libgtest-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libutfcpp-dev
  libgoogle-perftools-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "bootstrap: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
  echo "bootstrap: missing packages and not root; run as root or install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
