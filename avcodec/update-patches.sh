#!/usr/bin/env bash
# Regenerates avcodec/patches/ from a git tree of FFmpeg that holds the series as
# commits on top of a commit tagged `debian` (FFmpeg as `apt-get source ffmpeg`
# gives it). The sources in avcodec/src/ are the originals of the files that the
# series adds: they are copied in and folded into the commit that added each one.
#   usage: avcodec/update-patches.sh FFMPEG_GIT_TREE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tree=$(cd "${1:?usage: $0 FFMPEG_GIT_TREE}" && pwd)
export GIT_AUTHOR_NAME=bytelm GIT_AUTHOR_EMAIL=bytelm@localhost
export GIT_COMMITTER_NAME=bytelm GIT_COMMITTER_EMAIL=bytelm@localhost
cd "$tree"
git diff --quiet && git diff --cached --quiet || { echo "$tree has uncommitted changes" >&2; exit 1; }
for f in "$root"/avcodec/src/*/*; do
  rel=${f#"$root"/avcodec/src/}
  cmp -s "$f" "$rel" && continue
  added=$(git log --diff-filter=A --format=%H debian..HEAD -- "$rel" | tail -1)
  [ -n "$added" ] || { echo "$rel is added by no commit of the series" >&2; exit 1; }
  cp "$f" "$rel"
  git commit -q --fixup="$added" -- "$rel"
done
GIT_SEQUENCE_EDITOR=: git rebase -q -i --autosquash debian
rm -f "$root"/avcodec/patches/*.patch
git format-patch -q --no-signature --zero-commit --no-numbered -o "$root/avcodec/patches" debian..HEAD
ls "$root/avcodec/patches"
