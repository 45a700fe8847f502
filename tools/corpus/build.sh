#!/bin/bash
# bytelm corpus builder. Usage:
#   tools/corpus/build.sh [--only audio|image|text|mixed] [--sets dev,speed,train] [--summary]
# Fetches the Debian packages of docs/CORPUS.md with apt-get download, extracts them with
# dpkg-deb -x and decodes them deterministically into ${BYTELM_CACHE:-$HOME/.cache/bytelm}/corpus.
# Resumable: finished outputs and finished packages are skipped on a re-run.
set -euo pipefail
export LC_ALL=C TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)

# Debian tools the decoders need; installed only when missing.
need=()
command -v sox >/dev/null || need+=(sox)
dpkg -s libsox-fmt-all >/dev/null 2>&1 || need+=(libsox-fmt-all)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
[ -x /usr/bin/convert ] || need+=(imagemagick)
command -v diatheke >/dev/null || need+=(diatheke)
command -v dpkg-deb >/dev/null || need+=(dpkg)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}"
fi

# stdlib only; the system python3 (Debian 12: 3.11) is preferred for reproducibility.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
exec nice -n 10 "$py" "$here/build.py" "$@"
