#!/usr/bin/env python3
"""Decodes every conformance stream of MANIFEST with the command-line tool.

usage: check_cli.py BYTELM DIR

`bytelm -d -c` must write the bytes whose MD5 MANIFEST gives (every stream is of raw
data, so the tool writes the data as it is), and `bytelm -t` must accept the stream.
"""
import hashlib
import os
import subprocess
import sys


def main():
    tool, folder = sys.argv[1], sys.argv[2]
    failures = streams = 0
    with open(os.path.join(folder, "MANIFEST")) as manifest:
        entries = [line.split() for line in manifest if line.strip() and not line.startswith("#")]
    for name, md5, raw_bytes, _modes, _model in entries:
        streams += 1
        path = os.path.join(folder, name)
        dec = subprocess.run([tool, "-d", "-c", "-q", path], capture_output=True, timeout=300)
        got = hashlib.md5(dec.stdout).hexdigest()
        test = subprocess.run([tool, "-t", "-q", path], capture_output=True, timeout=300)
        ok = (dec.returncode == 0 and got == md5 and len(dec.stdout) == int(raw_bytes)
              and test.returncode == 0)
        print("%-28s -d: exit %d, %d bytes, MD5 %s; -t: exit %d: %s"
              % (name, dec.returncode, len(dec.stdout), got, test.returncode, "ok" if ok else "FAIL"))
        if not ok:
            failures += 1
            sys.stdout.write(dec.stderr.decode(errors="replace") + test.stderr.decode(errors="replace"))
    print("conformance (CLI): %d streams, %d failed" % (streams, failures))
    return 1 if failures or not streams else 0


if __name__ == "__main__":
    sys.exit(main())
