#!/usr/bin/env python3
"""Copies one of etcd's .proto files (Debian package golang-etcd-server-dev) so that protoc can
compile it for C++ without the Go-only extras: drops the gogoproto and google.api imports and
their options, and rewrites the etcd/... import paths to the layout of the output directory.

Usage: strip_etcd_proto.py INPUT OUTPUT
"""
import re
import sys


def strip(text: str) -> str:
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith('import "gogoproto/') or stripped.startswith('import "google/api/'):
            i += 1
            continue
        if stripped.startswith("option (gogoproto."):
            i += 1
            continue
        if stripped.startswith("option (google.api.http)"):
            # A block "option (google.api.http) = { ... };" over several lines.
            depth = line.count("{") - line.count("}")
            i += 1
            while depth > 0 and i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                i += 1
            # The closing line is "};" or "}": nothing else sits on it in etcd's files.
            continue
        line = re.sub(r'import "etcd/(mvcc/mvccpb|auth/authpb)/', r'import "\1/', line)
        line = line.replace('import "mvcc/mvccpb/', 'import "mvccpb/')
        line = line.replace('import "auth/authpb/', 'import "authpb/')
        # Field options such as [(gogoproto.nullable) = false] (none in 3.4's rpc.proto, but
        # cheap to handle).
        line = re.sub(r"\s*\[\(gogoproto\.[^\]]*\]", "", line)
        out.append(line)
        i += 1
    return "\n".join(out) + "\n"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    result = strip(text)
    if "gogoproto" in result or "google.api" in result:
        print(f"{sys.argv[1]}: gogoproto/google.api left after stripping", file=sys.stderr)
        return 1
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
