"""One row of bench/cycles.sh: a variant's callgrind counts per call.

  python bench/cycles.py VARIANT LOAD.jsonl CALLGRIND.out DUR IDLE RESULTS.txt

CALLGRIND.out.1 holds the counts of the DUR seconds under load, CALLGRIND.out.2 those
of the IDLE seconds after it. The idle rate times DUR is taken out of the load's
counts, and the rest divided by the calls the load generator started while the gateway
was instrumented. Estimated cycles: Ir + 10 x (I1mr + D1mr + D1mw) + 100 x (ILmr +
DLmr + DLmw), as callgrind's documentation estimates them. The ratio is over the first
row already in RESULTS.txt (the first variant of the run).
"""

from __future__ import annotations

import json
import sys


def totals(path: str) -> dict[str, int]:
    summed: dict[str, int] = {}
    with open(path) as fh:
        events: list[str] = []
        for line in fh:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith("totals:"):
                for event, value in zip(events, line.split()[1:], strict=False):
                    summed[event] = summed.get(event, 0) + int(value)
    return summed


def main(variant: str, load: str, callgrind: str, dur: str, idle: str, results: str) -> None:
    with open(load) as fh:
        calls = json.loads(fh.readlines()[-1])["calls_started"]
    busy, quiet = totals(callgrind + ".1"), totals(callgrind + ".2")
    share = float(dur) / float(idle)
    t = {event: (busy[event] - quiet.get(event, 0) * share) / calls for event in busy}
    l1 = t["I1mr"] + t["D1mr"] + t["D1mw"]
    last_level = t["ILmr"] + t["DLmr"] + t["DLmw"]
    cycles = t["Ir"] + 10 * l1 + 100 * last_level
    with open(results) as fh:
        rows = fh.read().splitlines()[1:]
    first = float(rows[0].split()[5]) if rows else cycles
    d1 = t["D1mr"] + t["D1mw"]
    print(f"{variant} {calls} {t['Ir']:.0f} {t['I1mr']:.0f} {d1:.0f} {cycles:.0f} {cycles / first:.4f}")


if __name__ == "__main__":
    main(*sys.argv[1:7])
