"""Markdown tables from bench/loadgen.py results (JSONL).

  python bench/summarize.py bench/results/results-*.jsonl

For each mode (unary Chat, StreamChat) and concurrency: direct (load generator
straight to the upstream) next to each gateway variant (gateway-aiohttp,
gateway-httpx): RPS, p50, added p50 (gateway minus direct at the same
concurrency), p99, TTFT and added TTFT, the gateway's CPU ms per call and CPU %,
its RSS, the load generator's CPU % (near 100% means the client, not the gateway,
was the limit), and "other CPU %": busy time on the host not spent by the load
generator, upstream or gateway (other work on the machine: noise). With several
result files or repeats, a cell is the median and [min..max] follows.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections import defaultdict
from typing import Any

Runs = list[dict[str, Any]]


def load(paths: list[str]) -> dict[tuple[str, str, int], Runs]:
    g: dict[tuple[str, str, int], Runs] = defaultdict(list)
    for p in paths:
        with open(p) as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    mode = "unary" if r["mode"] == "nonstream" else r["mode"]
                    g[(r["label"], mode, int(r["concurrency"]))].append(r)
    return g


def med(rs: Runs, k: str) -> float | None:
    v = [r[k] for r in rs if r.get(k) is not None]
    return statistics.median(v) if v else None


def fmt(rs: Runs, k: str, nd: int = 2) -> str:
    v = [r[k] for r in rs if r.get(k) is not None]
    if not v:
        return "-"
    s = f"{statistics.median(v):.{nd}f}"
    if len(v) > 1:
        s += f" [{min(v):.{nd}f}..{max(v):.{nd}f}]"
    return s


def diff(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a - b:+.2f}"


LONG = "long-"  # the long-stream phase's labels: long-direct, long-gateway, long-<variant>


def long_streams(g: dict[tuple[str, str, int], Runs]) -> list[str]:
    """The long-stream matrix: each concurrency, direct then every gateway variant."""
    rows = sorted(
        {(k[2], k[0]) for k in g if k[0].startswith(LONG)}, key=lambda r: (r[0], r[1] != "long-direct", r[1])
    )
    if not rows:
        return []
    head = [
        "c",
        "target",
        "streams/s",
        "TTFT p50 ms",
        "added p50",
        "TTFT p99 ms",
        "added p99",
        "gw CPU µs/chunk",
        "gw CPU %",
        "RSS KB/open stream",
        "tokens/delta",
        "loadgen CPU %",
        "upstream CPU %",
        "other CPU %",
        "errors",
    ]
    out = ["### Long streams (paced tokens; a fresh gateway per cell)\n", "| " + " | ".join(head) + " |"]
    out.append("|" + "---|" * len(head))
    for c, lab in rows:
        rs = g[(lab, "stream", c)]
        base = g.get(("long-direct", "stream", c), [])
        is_gw = lab != "long-direct"
        row = [str(c), lab.removeprefix(LONG), fmt(rs, "rps", 1), fmt(rs, "ttft_p50_ms", 1)]
        row.append(diff(med(rs, "ttft_p50_ms"), med(base, "ttft_p50_ms")) if is_gw else "")
        row.append(fmt(rs, "ttft_p99_ms", 1))
        row.append(diff(med(rs, "ttft_p99_ms"), med(base, "ttft_p99_ms")) if is_gw else "")
        if is_gw:
            row += [
                fmt(rs, "cpu_sut_us_per_chunk", 1),
                fmt(rs, "cpu_sut_pct", 0),
                fmt(rs, "rss_sut_kb_per_open_call", 1),
                fmt(rs, "coalescing_ratio", 2),
            ]
        else:
            row += ["", "", "", ""]
        row += [
            fmt(rs, "cpu_loadgen_pct", 0),
            fmt(rs, "cpu_upstream_pct", 0),
            fmt(rs, "other_cpu_pct", 0),
            str(sum(r.get("errors", 0) for r in rs)),
        ]
        out.append("| " + " | ".join(row) + " |")
    return [*out, ""]


PAIRED = "gateway-keys-paired-"  # keys-paired: slices alternating between auth off and a key


def paired(g: dict[tuple[str, str, int], Runs]) -> list[str]:
    """What the key adds to each slice of auth off it was paired with (same rep and pair)."""
    cells = sorted({(k[1], k[2]) for k in g if k[0].startswith(PAIRED)})
    if not cells:
        return []
    out = [
        "### A key with three in-process limits, in paired slices (CPU ms per call added)\n",
        "| mode | c | pairs | added: median | [quartiles] | [min..max] | off: median | key / off |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mode, c in cells:
        by_pair: dict[str, dict[str, float]] = defaultdict(dict)
        for side in ("off", "on"):
            for r in g.get((PAIRED + side, mode, c), []):
                by_pair[r.get("note", "").split(" src=")[0]][side] = r["cpu_sut_ms_per_call"]
        pairs = [p for p in by_pair.values() if len(p) == 2]
        if len(pairs) < 2:
            continue
        added = sorted(p["on"] - p["off"] for p in pairs)
        q1, q2, q3 = statistics.quantiles(added, n=4)
        off = statistics.median(p["off"] for p in pairs)
        # The ratio drifts less than the difference when the machine's speed does.
        ratio = statistics.median(p["on"] / p["off"] for p in pairs)
        out.append(
            f"| {mode} | {c} | {len(added)} | {q2:+.3f} | [{q1:+.3f}..{q3:+.3f}] "
            f"| [{added[0]:+.3f}..{added[-1]:+.3f}] | {off:.3f} | {ratio:.3f} |"
        )
    return [*out, ""]


def main(paths: list[str]) -> None:
    if not paths:
        sys.exit(__doc__)
    g = load(paths)
    long_rows = long_streams(g)
    # Still a defaultdict: a run of some concurrencies only leaves the other cells empty ("-").
    g = defaultdict(list, {k: rs for k, rs in g.items() if not k[0].startswith(LONG)})
    labels = sorted({k[0] for k in g}, key=lambda lab: (lab != "direct", lab))
    gateways = [lab for lab in labels if lab != "direct"]
    out: list[str] = []
    add = out.append

    # headline: one row per gateway variant, same columns as the anchor kit's table
    if gateways and any(k[1] == "unary" for k in g):
        add("### Headline (compare with the anchor kit's table)\n")
        add(
            "| system under test | unary RPS c16 / c64 | added p50 c1 | CPU ms / call c16 "
            "| stream TTFT added c1 | CPU ms / 20-chunk stream c16 | RSS max MB |"
        )
        add("|---|---|---|---|---|---|---|")
        for lab in gateways:
            rss = [
                r["rss_sut_max_mb"]
                for k, rs in g.items()
                if k[0] == lab
                for r in rs
                if r.get("rss_sut_max_mb")
            ]
            add(
                "| "
                + " | ".join(
                    [
                        lab,
                        f"{fmt(g[(lab, 'unary', 16)], 'rps', 0)} / {fmt(g[(lab, 'unary', 64)], 'rps', 0)}",
                        diff(
                            med(g[(lab, "unary", 1)], "lat_p50_ms"),
                            med(g[("direct", "unary", 1)], "lat_p50_ms"),
                        ),
                        fmt(g[(lab, "unary", 16)], "cpu_sut_ms_per_call", 3),
                        diff(
                            med(g[(lab, "stream", 1)], "ttft_p50_ms"),
                            med(g[("direct", "stream", 1)], "ttft_p50_ms"),
                        ),
                        fmt(g[(lab, "stream", 16)], "cpu_sut_ms_per_call", 3),
                        f"{max(rss):.0f}" if rss else "-",
                    ]
                )
                + " |"
            )
        add("")

    # CPU per call against the bare relay measured in the same run (the fair comparison)
    relay = "grpc-relay"
    cols = sorted({(k[1], k[2]) for k, rs in g.items() if k[0] == relay and rs}, reverse=True)
    if cols and len(gateways) > 1:
        add(f"### CPU per call / {relay}'s (its CPU ms/call in brackets)\n")
        add("| system under test | " + " | ".join(f"{m} c{c}" for m, c in cols) + " |")
        add("|---|" + "---|" * len(cols))
        for lab in gateways:
            cells = []
            for m, c in cols:
                mine = med(g.get((lab, m, c), []), "cpu_sut_ms_per_call")
                base = med(g[(relay, m, c)], "cpu_sut_ms_per_call")
                cells.append("-" if mine is None or not base else f"{mine / base:.2f} ({mine:.3f})")
            add(f"| {lab} | " + " | ".join(cells) + " |")
        add("")

    for mode, title in (("unary", "Unary (Chat)"), ("stream", "Streaming (StreamChat, 20 text deltas)")):
        concs = sorted({k[2] for k in g if k[1] == mode})
        if not concs:
            continue
        add(f"### {title}\n")
        head = ["c", "target", "RPS", "p50 ms", "added p50", "p99 ms"]
        if mode == "stream":
            head += ["TTFT p50 ms", "added TTFT", "TTFT p99 ms"]
        head += ["gw CPU ms/call", "gw CPU %", "gw RSS MB"]
        head += ["loadgen CPU %", "upstream CPU %", "other CPU %", "errors"]
        add("| " + " | ".join(head) + " |")
        add("|" + "---|" * len(head))
        for c in concs:
            base = g.get(("direct", mode, c), [])
            for lab in labels:
                rs = g.get((lab, mode, c))
                if not rs:
                    continue
                is_gw = lab != "direct"
                row = [str(c), lab, fmt(rs, "rps", 0), fmt(rs, "lat_p50_ms")]
                row.append(diff(med(rs, "lat_p50_ms"), med(base, "lat_p50_ms")) if is_gw else "")
                row.append(fmt(rs, "lat_p99_ms"))
                if mode == "stream":
                    row.append(fmt(rs, "ttft_p50_ms"))
                    row.append(diff(med(rs, "ttft_p50_ms"), med(base, "ttft_p50_ms")) if is_gw else "")
                    row.append(fmt(rs, "ttft_p99_ms"))
                if is_gw:
                    row += [
                        fmt(rs, "cpu_sut_ms_per_call", 3),
                        fmt(rs, "cpu_sut_pct", 0),
                        fmt(rs, "rss_sut_max_mb", 0),
                    ]
                else:
                    row += ["", "", ""]
                row += [
                    fmt(rs, "cpu_loadgen_pct", 0),
                    fmt(rs, "cpu_upstream_pct", 0),
                    fmt(rs, "other_cpu_pct", 0),
                    str(sum(r.get("errors", 0) for r in rs)),
                ]
                add("| " + " | ".join(row) + " |")
        add("")

    out.extend(paired(g))
    out.extend(long_rows)
    errs = [
        f"* {k[0]} {k[1]} c{k[2]}: {r['error_samples']}"
        for k, rs in load(paths).items()
        for r in rs
        if r.get("error_samples")
    ]
    if errs:
        add("Errors seen:\n")
        out.extend(errs)
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
