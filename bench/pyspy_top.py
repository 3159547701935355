"""Where the time goes: top functions by own time from a py-spy raw (collapsed) profile.

  py-spy record --pid PID --duration 10 --format raw --output prof.raw
  python bench/pyspy_top.py prof.raw [-n 25]

py-spy counts only samples where a thread was running (not idle), so shares are
shares of CPU time. Code running in C (uvloop, the grpc core, aiohttp's parser)
without --native is charged to the Python frame that called it: "Runner.run" is
the event loop itself (I/O, callbacks, scheduling).

Prints three markdown tables: own time by function, inclusive time by function,
and own time by package (top-level module of the file).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^():]+)(?::(?P<line>\d+))?\)$")


def parse(path: str) -> tuple[list[tuple[list[str], int]], int]:
    stacks = []
    total = 0
    with open(path) as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            n = int(count)
            frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
            stacks.append((frames, n))
            total += n
    return stacks, total


def key(frame: str) -> str:
    """'func (path/file.py:123)' -> 'func (path/file.py)'."""
    m = FRAME.match(frame)
    return f"{m['func']} ({m['file']})" if m else frame


def package(frame: str) -> str:
    m = FRAME.match(frame)
    if not m:
        return frame
    f = m["file"]
    if "site-packages/" in f:
        f = f.split("site-packages/", 1)[1]
    if "/server/" in f:
        f = f.split("/server/", 1)[1]
    parts = f.split("/")
    if parts[0] == "llmgateway" and len(parts) > 2:
        return "/".join(parts[:2])  # llmgateway/api, llmgateway/providers, ...
    return parts[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw")
    ap.add_argument("-n", type=int, default=25)
    args = ap.parse_args()
    stacks, total = parse(args.raw)
    if not total:
        print("no samples")
        return
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    pkg: Counter[str] = Counter()
    for frames, n in stacks:
        if not frames:
            continue
        own[key(frames[-1])] += n
        pkg[package(frames[-1])] += n
        for k in {key(f) for f in frames}:
            incl[k] += n

    print(f"{total} samples (on-CPU)\n")
    print("| own % | function (file) |\n|---:|---|")
    for k, n in own.most_common(args.n):
        print(f"| {100 * n / total:.1f} | `{k}` |")
    print("\n| inclusive % | function (file) |\n|---:|---|")
    for k, n in incl.most_common(args.n):
        print(f"| {100 * n / total:.1f} | `{k}` |")
    print("\n| own % | package |\n|---:|---|")
    for k, n in pkg.most_common(15):
        print(f"| {100 * n / total:.1f} | {k} |")


if __name__ == "__main__":
    main()
