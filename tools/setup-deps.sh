#!/usr/bin/env bash
# Installs the Debian 12 packages that bytelm needs to build, test and benchmark.
# Safe to run again: it installs only what is missing.
set -euo pipefail

packages=(
  # build
  build-essential meson ninja-build pkg-config python3
  libglib2.0-dev zlib1g-dev libflac-dev libsndfile1-dev libpng-dev libopenblas-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  # baselines and tools for the demo and the benchmarks
  flac optipng libjxl-tools xz-utils zstd gzip sox bc
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  # gst-play-1.0 and gst-discoverer-1.0 (docs/GSTREAMER.md); the plugin's tests use
  # gstreamer-check-1.0, which libgstreamer1.0-dev ships (with its own copy of check)
  gstreamer1.0-plugins-base-apps
  # benchmark baselines and chart (tools/bench/bench.py): WavPack, WebP (cwebp/dwebp),
  # netpbm's pngtopnm to time PNG decoding, GNU time for peak memory, gnuplot
  wavpack webp netpbm time gnuplot-nox
  # robustness (docs/ROBUSTNESS.md): libFuzzer targets (clang and its sanitizer and
  # fuzzer runtimes), the CLI under valgrind
  clang-14 libclang-rt-14-dev valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The PyTorch twin of the trainer (tools/train/torch/, test torch_twin): Debian's torch,
# which is installed for /usr/bin/python3.
if ! dpkg-query -W -f='${Status}' python3-torch 2>/dev/null | grep -q 'install ok installed'; then
  echo "setup-deps: installing python3-torch" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
fi
