#!/usr/bin/env python3
"""Build pure-python wheels from source dirs, without network or build tools.

A source dir holds a METADATA file (core metadata: Name, Version, Requires-Dist ...), an optional
entry_points.txt and the package files. `--version V` replaces @VERSION@ in every file (for the
packages whose version is the Sentry release the image imitates).
Usage: make-wheel.py [--version V] OUTDIR SRCDIR...
"""
import base64
import hashlib
import os
import re
import sys
import zipfile


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build(src, outdir, version):
    files = {}
    for root, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = os.path.join(root, name)
            with open(path, "rb") as fp:
                data = fp.read()
            if version:
                data = data.replace(b"@VERSION@", version.encode())
            files[os.path.relpath(path, src)] = data
    meta = dict(re.findall(r"^(Name|Version): *(\S+)", files["METADATA"].decode(), re.M))
    dist = re.sub(r"[-_.]+", "_", meta["Name"])
    info = "%s-%s.dist-info" % (dist, meta["Version"])
    wheel = "Wheel-Version: 1.0\nGenerator: make-wheel\nRoot-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n"
    entries = {info + "/WHEEL": wheel.encode()}
    for name, data in files.items():
        special = name in ("METADATA", "entry_points.txt")
        entries[(info + "/" + name) if special else name] = data
    record = "".join("%s,%s,%d\n" % (n, digest(d), len(d)) for n, d in sorted(entries.items()))
    entries[info + "/RECORD"] = (record + info + "/RECORD,,\n").encode()
    out = os.path.join(outdir, "%s-%s-py2.py3-none-any.whl" % (dist, meta["Version"]))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(entries.items()):
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
    print(os.path.basename(out))


def main(argv):
    version = None
    if argv[:1] == ["--version"]:
        version, argv = argv[1], argv[2:]
    outdir, sources = argv[0], argv[1:]
    os.makedirs(outdir, exist_ok=True)
    for src in sources:
        build(src, outdir, version)


if __name__ == "__main__":
    main(sys.argv[1:])
