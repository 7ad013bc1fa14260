#!/usr/bin/env python3
"""Fails when a source file includes upward across the layers of docs/architecture.md:

  common     <- everything; includes nothing of ours
  lifecycle  the engine: knows no domain (only common)
  domains    api cache cluster config dwcp http node observe security store vm: never the engine,
             the components, the daemon or the CLI
  components the only place where the engine and the domains meet; never the daemon or the CLI
  daemon     never the CLI

Test code (files named *_test.cc, *_for_test.h, *test_util*, *test_support*, or under a testing/
directory) may also include the test harnesses in tests/ ("servers/", "support/").

Usage: check_layering.py SRC_DIR   (exit 1 naming every offending include)
"""
import pathlib
import re
import sys

DOMAINS = {"api", "cache", "cluster", "config", "dwcp", "http", "node", "observe", "security",
           "store", "vm"}
TEST_HARNESSES = {"servers", "support"}
# What each layer may include besides itself and common.
ALLOWED = {"common": set(), "lifecycle": set(), "components": DOMAINS | {"lifecycle"},
           "daemon": DOMAINS | {"lifecycle", "components"},
           "cli": DOMAINS | {"lifecycle", "components", "daemon"}}
for domain in DOMAINS:
    ALLOWED[domain] = DOMAINS  # domains may use each other; never upward
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_0-9]+)/')
GENERATED = {"etcdserverpb", "mvccpb", "authpb"}  # etcd's stubs, generated at build time


def is_test_code(path: pathlib.Path) -> bool:
    name = path.name
    return (name.endswith("_test.cc") or "_for_test" in name or "test_util" in name
            or "test_support" in name or "testing" in path.parts)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src = pathlib.Path(sys.argv[1])
    problems = []
    for path in sorted(src.rglob("*")):
        if path.suffix not in {".h", ".cc"} or not path.is_file():
            continue
        layer = path.relative_to(src).parts[0]
        if layer not in ALLOWED:
            problems.append(f"{path}: directory '{layer}' has no layer in check_layering.py")
            continue
        allowed = ALLOWED[layer] | {layer, "common"}
        if layer == "cluster":
            allowed |= GENERATED
        if is_test_code(path):
            allowed |= TEST_HARNESSES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if match and match.group(1) not in allowed:
                problems.append(f"{path}:{number}: {layer}/ must not include "
                                f"{match.group(1)}/ (docs/architecture.md, layers)")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check_layering: {len(problems)} upward includes", file=sys.stderr)
        return 1
    print("check_layering: every include goes down the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
