#!/usr/bin/env bash
# The patch series adds exactly the files in avcodec/src/ (run avcodec/update-patches.sh
# after editing them), and every patch applies to the tree the build used.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python3 - "$root" <<'PY'
import glob, os, re, sys
root = sys.argv[1]
added = {}
for p in sorted(glob.glob(os.path.join(root, 'avcodec/patches/*.patch'))):
    lines = open(p, encoding='utf-8').read().split('\n')
    i = 0
    while i < len(lines):
        if lines[i].startswith('--- /dev/null') and lines[i + 1].startswith('+++ b/'):
            path = lines[i + 1][6:]
            m = re.match(r'@@ -0,0 \+1(?:,(\d+))? @@', lines[i + 2])
            n = int(m.group(1) or 1)
            added[path] = '\n'.join(l[1:] for l in lines[i + 3:i + 3 + n]) + '\n'
            i += 3 + n
        else:
            i += 1
src = {os.path.relpath(f, os.path.join(root, 'avcodec/src')): open(f, encoding='utf-8').read()
       for f in glob.glob(os.path.join(root, 'avcodec/src/*/*'))}
bad = sorted(set(src) ^ set(added)) + sorted(k for k in src if k in added and src[k] != added[k])
if bad:
    sys.exit('FAIL: avcodec/src and avcodec/patches differ: ' + ', '.join(bad))
print('ok: the patches add exactly avcodec/src (%d files)' % len(src))
PY
