#!/usr/bin/env python3
"""Writes the key reference of docs/configuration.md from `novacron config schema` (stdin)."""
import json
import sys


def rows(node, prefix=""):
    for name, prop in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        if prop.get("type") == "object":
            yield from rows(prop, path + ".")
            continue
        yield path, prop


def fmt_type(prop):
    t = prop.get("type")
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" if v != "" else '`""`' for v in prop["enum"])
    if isinstance(t, list):
        if "pattern" in prop and "ms" in prop["pattern"]:
            return "duration"
        return "size" if "pattern" in prop else "/".join(t)
    if t == "string" and "pattern" in prop:
        return "duration" if "ms" in prop["pattern"] else "string"
    if t == "array":
        return "list of strings"
    return t or ""


def fmt_range(prop):
    lo, hi = prop.get("minimum"), prop.get("maximum")
    if lo is None and hi is None:
        return ""
    return f"{'' if lo is None else lo}..{'' if hi is None else hi}"


schema = json.load(sys.stdin)
print("| key | type | default | range | env | description |")
print("|---|---|---|---|---|---|")
for path, prop in rows(schema):
    default = json.dumps(prop.get("default", "")) if "default" in prop else ""
    env = "NOVACRON_" + path.upper().replace(".", "_")
    flags = []
    if prop.get("writeOnly"):
        flags.append("secret")
    if prop.get("x-reloadable"):
        flags.append("reloadable")
    desc = prop.get("description", "").replace("|", "\\|")
    if flags:
        desc += f" ({', '.join(flags)})"
    print(f"| `{path}` | {fmt_type(prop)} | `{default}` | {fmt_range(prop)} | `{env}` | {desc} |")
