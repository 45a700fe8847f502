#!/bin/sh
# Rewrites the conformance streams and MANIFEST with the encoder of this tree.
#
# Only for a deliberate format change (a new frame mode, a changed model): the streams
# are checked in so that streams made by an older encoder are proven to still decode,
# and regenerating them after an accidental change would hide exactly the break the
# test is there to catch. Say in the commit message why they changed.
#
# usage: tests/conformance/regenerate.sh [BUILD_DIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
ninja -C "$build" tests/conformance/make_streams
rm -f "$here"/*.blm "$here"/MANIFEST
"$build"/tests/conformance/make_streams "$here" "$here/../../models"
