"""Closed-loop load generator for the llmgateway benchmark.

C workers send calls back to back for a fixed duration, after a warm-up that is
not counted. Calls that complete inside the measured window are counted. Two
targets:

  grpc   the gateway: GatewayService.Chat (unary) / StreamChat (stream),
         one user message "Say hello", through --channels grpc.aio channels (one
         HTTP/2 connection each; 1 by default)
  http   the upstream directly (the "direct" baseline): POST /v1/chat/completions,
         JSON (unary) or SSE (stream, stream_options.include_usage), aiohttp client

Figures: calls/s, latency p50/p90/p99, for streams time to first token (first
TextDelta / first SSE chunk with content), errors by kind, and for every
--pid NAME=PID: CPU ms per call (psutil cpu_times delta of the process tree
over the measured window divided by the calls completed in it), CPU %, RSS.
Streams: the folded text is checked (the gateway may merge deltas that were ready
together), CPU per streamed chunk (one upstream token), the coalescing ratio
(tokens per delta event received) and the RSS each open stream adds (max RSS under
load minus the RSS before it, over -c).

--procs P splits -c over P processes (spawned; they share the schedule on the
machine's monotonic clock): one Python process cannot receive thousands of
streams' events per second.

One JSON line per run is appended to --out; a readable summary goes to stdout.

  python bench/loadgen.py --target grpc --addr 127.0.0.1:50051 --model bench/fake \\
      --mode stream -c 16 -d 10 --pid sut=1234 --label gateway --out results.jsonl
  python bench/loadgen.py --target http --url http://127.0.0.1:8001/v1/chat/completions \\
      --mode unary -c 16 -d 10 --pid upstream=999 --label direct --out results.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import orjson
import psutil

PROMPT = "Say hello"
TOKEN = " tok"  # one token of bench/upstream.py

# (ok, ttft_s or None, content units (tokens), delta events received, error kind or None)
CallResult = tuple[bool, float | None, int, int, str | None]


def pct(sorted_vals: list[float], p: float) -> float | None:
    """Linear-interpolated percentile of an already sorted list."""
    if not sorted_vals:
        return None
    k = (len(sorted_vals) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(sorted_vals) - 1)
    return sorted_vals[f] + (sorted_vals[c] - sorted_vals[f]) * (k - f)


def tree_rss_cpu(pid: int) -> tuple[float, float]:
    """(rss bytes, user+system CPU seconds) summed over the process tree rooted at pid."""
    root = psutil.Process(pid)
    rss = cpu = 0.0
    for p in [root, *root.children(recursive=True)]:
        try:
            rss += p.memory_info().rss
            t = p.cpu_times()
            cpu += t.user + t.system
        except psutil.Error:
            pass
    return rss, cpu


@dataclass
class Stats:
    lat: list[float] = field(default_factory=list)
    ttft: list[float] = field(default_factory=list)
    units: int = 0
    events: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    late_errors: int = 0
    calls_started: int = 0
    cpu_s: float = 0.0  # this process's CPU over the measured window
    first_call: tuple[float, bool] | None = None  # the cold call: latency, ok

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @classmethod
    def merged(cls, parts: list[Stats]) -> Stats:
        out = cls()
        for p in parts:
            out.lat += p.lat
            out.ttft += p.ttft
            out.units += p.units
            out.events += p.events
            for kind, count in p.errors.items():
                out.errors[kind] = out.errors.get(kind, 0) + count
            out.late_errors += p.late_errors
            out.calls_started += p.calls_started
            out.cpu_s += p.cpu_s
            out.first_call = out.first_call or p.first_call
        return out


# --- gRPC target ---------------------------------------------------------------------------


def make_grpc_caller(args: argparse.Namespace) -> tuple[Callable[[], Awaitable[CallResult]], list[Any]]:
    """A caller over `args.channels` channels (each its own HTTP/2 connection: a local
    subchannel pool), used in turn."""
    import grpc

    from llmgateway.v1 import chat_pb2, gateway_service_pb2_grpc

    options = [("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.use_local_subchannel_pool", 1)]
    channels = [grpc.aio.insecure_channel(args.addr, options=options) for _ in range(args.channels)]
    stubs = [gateway_service_pb2_grpc.GatewayServiceStub(ch) for ch in channels]
    turn = itertools.cycle(stubs)
    msg = chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text=PROMPT)])
    timeout = args.timeout
    expect = args.tokens
    metadata = (("authorization", f"Bearer {args.api_key}"),) if args.api_key else None

    def rpc_error(e: grpc.aio.AioRpcError) -> str:
        return f"grpc {e.code().name}: {(e.details() or '')[:120]}"

    # --session-turns N: each session (of a virtual model with memory) is continued for N
    # calls, then a new one starts; a session is used by one call at a time.
    turns = args.session_turns
    idle: list[tuple[str, int]] = []

    def take_session() -> tuple[str, int]:
        return idle.pop() if idle else ("", 0)

    def give_back(session_id: str, used: int) -> None:
        if session_id and used + 1 < turns:
            idle.append((session_id, used + 1))

    # --history-turns N: the caller keeps the conversation itself (what a virtual model's
    # memory does for it): each call sends the system prompt of bench/bot, the turns so
    # far and the new message; after N calls a new conversation starts.
    history_turns = args.history_turns
    bot_prompt = f"You are the benchmark bot. Today is {time.strftime('%Y-%m-%d', time.gmtime())}."
    system = chat_pb2.Message(role=chat_pb2.ROLE_SYSTEM, content=[chat_pb2.ContentPart(text=bot_prompt)])
    conversations: list[list[Any]] = []  # idle ones, each the messages so far

    if args.mode == "unary":
        req = chat_pb2.ChatRequest(model=args.model, messages=[msg])

        async def call() -> CallResult:
            session, used = take_session() if turns else ("", 0)
            sent = req
            if turns:
                sent = chat_pb2.ChatRequest(model=args.model, messages=[msg], session_id=session)
            conversation = (conversations.pop() if conversations else [system]) if history_turns else []
            if history_turns:
                sent = chat_pb2.ChatRequest(model=args.model, messages=[*conversation, msg])
            try:
                r = await next(turn).Chat(sent, timeout=timeout, metadata=metadata)
            except grpc.aio.AioRpcError as e:
                return False, None, 0, 0, rpc_error(e)
            if turns:
                give_back(r.session_id, used)
            if history_turns and (len(conversation) - 1) // 2 + 1 < history_turns:
                conversations.append([*conversation, msg, r.message])
            text = "".join(p.text for p in r.message.content)
            if not text:
                return False, None, 0, 0, "empty content"
            n = r.usage.completion_tokens
            if expect and n != expect:
                return False, None, 0, 0, f"completion_tokens {n} != {expect}"
            return True, None, n, 1, None

    else:
        sreq = chat_pb2.StreamChatRequest(model=args.model, messages=[msg])
        # The gateway may merge deltas that were ready together (delta coalescing): the
        # folded text is checked, and the deltas are counted apart from the tokens.
        want = TOKEN * expect

        async def call() -> CallResult:
            t0 = time.perf_counter()
            ttft = None
            deltas = 0
            end = None
            texts: list[str] = []
            session, used = take_session() if turns else ("", 0)
            request = sreq
            if turns:
                request = chat_pb2.StreamChatRequest(model=args.model, messages=[msg], session_id=session)
            try:
                async for ev in next(turn).StreamChat(request, timeout=timeout, metadata=metadata):
                    kind = ev.WhichOneof("event")
                    if kind == "start":
                        session = ev.start.session_id
                    elif kind == "text_delta":
                        if ttft is None:
                            ttft = time.perf_counter() - t0
                        deltas += 1
                        texts.append(ev.text_delta.text)
                    elif kind == "end":
                        end = ev.end
            except grpc.aio.AioRpcError as e:
                return False, ttft, 0, deltas, rpc_error(e)
            if turns:
                give_back(session, used)
            if end is None:
                return False, ttft, 0, deltas, "stream without StreamEnd"
            if ttft is None:
                return False, None, 0, 0, "stream without text"
            if expect and "".join(texts) != want:
                return False, ttft, 0, deltas, f"text is not {expect} tokens"
            return True, ttft, expect or deltas, deltas, None

    return call, channels


# --- HTTP target (direct to the upstream) ----------------------------------------------------


def make_http_caller(args: argparse.Namespace, session: Any) -> Callable[[], Awaitable[CallResult]]:
    import aiohttp

    req: dict[str, Any] = {"model": args.model, "messages": [{"role": "user", "content": PROMPT}]}
    if args.mode == "stream":
        req["stream"] = True
        req["stream_options"] = {"include_usage": True}
    body = orjson.dumps(req)
    headers = {"content-type": "application/json", "authorization": "Bearer sk-bench"}
    url = args.url
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    expect = args.tokens

    if args.mode == "unary":

        async def call() -> CallResult:
            async with session.post(url, data=body, headers=headers, timeout=timeout) as resp:
                data = await resp.read()
                if resp.status != 200:
                    return False, None, 0, 0, f"http {resp.status}"
            j = orjson.loads(data)
            if not j["choices"][0]["message"]["content"]:
                return False, None, 0, 0, "empty content"
            n = j["usage"]["completion_tokens"]
            if expect and n != expect:
                return False, None, 0, 0, f"completion_tokens {n} != {expect}"
            return True, None, n, 1, None

    else:

        async def call() -> CallResult:
            t0 = time.perf_counter()
            ttft = None
            deltas = 0
            done = usage = False
            async with session.post(url, data=body, headers=headers, timeout=timeout) as resp:
                if resp.status != 200:
                    await resp.read()
                    return False, None, 0, 0, f"http {resp.status}"
                buf = b""
                async for chunk in resp.content.iter_any():
                    buf += chunk
                    *events, buf = buf.split(b"\n\n")
                    for ev in events:
                        if not ev.startswith(b"data:"):
                            continue
                        payload = ev[5:].strip()
                        if payload == b"[DONE]":
                            done = True
                            continue
                        j = orjson.loads(payload)
                        if j.get("error"):
                            return False, ttft, 0, deltas, "error event"
                        ch = j.get("choices")
                        if ch and (ch[0].get("delta") or {}).get("content"):
                            if ttft is None:
                                ttft = time.perf_counter() - t0
                            deltas += 1
                        if j.get("usage"):
                            usage = True
            if not done or ttft is None:
                return False, ttft, 0, deltas, "incomplete stream"
            if not usage:
                return False, ttft, 0, deltas, "no usage chunk"
            if expect and deltas != expect:
                return False, ttft, 0, deltas, f"{deltas} content chunks != {expect}"
            return True, ttft, deltas, deltas, None

    return call


# --- driver ------------------------------------------------------------------------------------


async def drive(args: argparse.Namespace, concurrency: int, t_warm: float, t_end: float) -> Stats:
    """Runs `concurrency` closed-loop workers in this process until `t_end` (time.monotonic,
    which every process of the machine shares); counts the calls that end inside
    [t_warm, t_end], and this process's CPU over that window."""
    session = None
    channels: list[Any] = []
    if args.target == "grpc":
        call, channels = make_grpc_caller(args)
        try:
            await asyncio.wait_for(asyncio.gather(*(ch.channel_ready() for ch in channels)), 10)
        except TimeoutError:
            sys.exit(f"gRPC channel to {args.addr} not ready after 10 s")
    else:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=concurrency, ttl_dns_cache=300)
        session = aiohttp.ClientSession(connector=connector)
        call = make_http_caller(args, session)

    stats = Stats()
    counter = [0]
    max_calls = args.max_calls

    async def worker() -> None:
        while True:
            t0 = time.monotonic()
            if t0 >= t_end or counter[0] >= max_calls:
                return
            counter[0] += 1
            try:
                ok, ttft, units, events, err = await call()
            except Exception as e:  # transport failure: count it, back off briefly
                ok, ttft, units, events, err = False, None, 0, 0, f"{type(e).__name__}: {str(e)[:100]}"
                await asyncio.sleep(0.05)
            t1 = time.monotonic()
            if stats.first_call is None:
                stats.first_call = (t1 - t0, ok)
            if t1 < t_warm:
                continue
            if t1 > t_end:
                if not ok:
                    stats.late_errors += 1
                continue
            if ok:
                stats.lat.append(t1 - t0)
                stats.units += units
                stats.events += events
                if ttft is not None:
                    stats.ttft.append(ttft)
            else:
                stats.error(err or "unknown")

    def cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return ru.ru_utime + ru.ru_stime

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await asyncio.sleep(max(0.0, t_warm - time.monotonic()))
    cpu0 = cpu()
    await asyncio.sleep(max(0.0, t_end - time.monotonic()))
    stats.cpu_s = cpu() - cpu0
    _, pending = await asyncio.wait(workers, timeout=args.timeout + 2)
    for w in pending:
        w.cancel()
    stats.calls_started = counter[0]
    for ch in channels:
        await ch.close()
    if session is not None:
        await session.close()
    return stats


def _child(args: argparse.Namespace, concurrency: int, t_warm: float, t_end: float) -> Stats:
    """One load generator process of several (--procs)."""
    if not args.no_uvloop:
        import uvloop

        uvloop.install()
    return asyncio.run(drive(args, concurrency, t_warm, t_end))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    pids: dict[str, int] = {}
    for spec in args.pid or []:
        name, _, pid = spec.rpartition("=")
        pids[name or "sut"] = int(pid)

    def cpu_now() -> dict[str, float]:
        out = {}
        for k, pid in pids.items():
            with contextlib.suppress(psutil.Error):
                out[k] = tree_rss_cpu(pid)[1]
        return out

    idle_rss = {}
    for k, pid in pids.items():
        with contextlib.suppress(psutil.Error):
            idle_rss[k] = tree_rss_cpu(pid)[0]
    # Processes need a moment to start and connect before the schedule begins.
    t_start = time.monotonic() + (2.0 if args.procs > 1 else 0.0)
    t_warm = t_start + args.warmup
    t_end = t_warm + args.duration
    shares = [args.concurrency // args.procs + (i < args.concurrency % args.procs) for i in range(args.procs)]
    loop = asyncio.get_running_loop()
    pool = None
    if args.procs > 1:
        pool = ProcessPoolExecutor(args.procs, mp_context=multiprocessing.get_context("spawn"))
        runs = [loop.run_in_executor(pool, _child, args, share, t_warm, t_end) for share in shares]
        done: Awaitable[list[Stats]] = asyncio.gather(*runs)
    else:
        done = asyncio.ensure_future(drive(args, args.concurrency, t_warm, t_end))

    rss_samples: dict[str, list[float]] = {k: [] for k in pids}
    stop = asyncio.Event()

    async def sampler() -> None:
        while not stop.is_set():
            for k, pid in pids.items():
                with contextlib.suppress(psutil.Error):
                    rss_samples[k].append(tree_rss_cpu(pid)[0])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)

    samp = asyncio.create_task(sampler())
    await asyncio.sleep(max(0.0, t_warm - time.monotonic()))
    cpu0 = cpu_now()
    host0 = psutil.cpu_times(percpu=True)
    await asyncio.sleep(max(0.0, t_end - time.monotonic()))
    t_win_end = time.monotonic()
    cpu1 = cpu_now()
    host1 = psutil.cpu_times(percpu=True)
    result = await done
    parts: list[Stats] = result if isinstance(result, list) else [result]
    if pool is not None:
        pool.shutdown()
    stop.set()
    await samp
    stats = Stats.merged(parts)

    window = t_win_end - t_warm
    n = len(stats.lat)
    lat = sorted(stats.lat)
    ttft = sorted(stats.ttft)

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 3)

    res: dict[str, Any] = {
        "label": args.label,
        "target": args.target,
        "mode": args.mode,
        "concurrency": args.concurrency,
        "procs": args.procs,
        "duration_s": round(window, 3),
        "ok": n,
        "calls_started": stats.calls_started,  # warm-up and late calls included
        "errors": sum(stats.errors.values()),
        "rps": round(n / window, 1),
        "lat_p50_ms": ms(pct(lat, 50)),
        "lat_p90_ms": ms(pct(lat, 90)),
        "lat_p99_ms": ms(pct(lat, 99)),
        "lat_mean_ms": ms(sum(lat) / n) if n else None,
    }
    if stats.first_call is not None:
        res["first_call_ms"] = ms(stats.first_call[0])
        res["first_call_ok"] = stats.first_call[1]
    if args.mode == "stream":
        res.update(
            {
                "ttft_p50_ms": ms(pct(ttft, 50)),
                "ttft_p90_ms": ms(pct(ttft, 90)),
                "ttft_p99_ms": ms(pct(ttft, 99)),
                "tokens_per_stream": round(stats.units / n, 2) if n else None,
                # upstream tokens per delta event received: 1.0 means no coalescing
                "coalescing_ratio": round(stats.units / stats.events, 3) if stats.events else None,
            }
        )
    for k in pids:
        s = rss_samples[k]
        res[f"rss_{k}_max_mb"] = round(max(s) / 2**20, 1) if s else None
        res[f"rss_{k}_mean_mb"] = round(sum(s) / len(s) / 2**20, 1) if s else None
        if k in idle_rss and s:
            res[f"rss_{k}_idle_mb"] = round(idle_rss[k] / 2**20, 1)
            res[f"rss_{k}_kb_per_open_call"] = round((max(s) - idle_rss[k]) / 1024 / args.concurrency, 1)
        if k in cpu0 and k in cpu1:
            used = cpu1[k] - cpu0[k]
            res[f"cpu_{k}_pct"] = round(100 * used / window, 1)
            res[f"cpu_{k}_ms_per_call"] = round(1000 * used / n, 3) if n else None
            if args.mode == "stream" and stats.units:
                res[f"cpu_{k}_us_per_chunk"] = round(1e6 * used / stats.units, 1)
    res["cpu_loadgen_pct"] = round(100 * stats.cpu_s / window, 1)
    # busy % of each host CPU over the window, and what of it was not ours (other work on the
    # machine: noise when it is more than a few %)
    busy = [
        sum(b) - b.idle - getattr(b, "iowait", 0.0) - (sum(a) - a.idle - getattr(a, "iowait", 0.0))
        for a, b in zip(host0, host1, strict=True)
    ]
    res["host_cpu_busy_pct"] = [round(100 * x / window, 1) for x in busy]
    ours = stats.cpu_s + sum(cpu1[k] - cpu0[k] for k in pids if k in cpu0 and k in cpu1)
    res["other_cpu_pct"] = round(100 * (sum(busy) - ours) / window, 1)
    if stats.errors:
        top = sorted(stats.errors.items(), key=lambda kv: -kv[1])[:5]
        res["error_samples"] = dict(top)
    if stats.late_errors:
        res["late_errors"] = stats.late_errors
    res["ts"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    res["note"] = args.note
    return res


def human(r: dict[str, Any]) -> str:
    def f(v: Any, nd: int = 2) -> str:
        return "-" if v is None else f"{v:.{nd}f}"

    parts = [
        f"{r['label']:<14} {r['mode']:<6} c={r['concurrency']:<3}",
        f"rps={r['rps']:<8.1f}",
        f"p50={f(r['lat_p50_ms'])} p90={f(r['lat_p90_ms'])} p99={f(r['lat_p99_ms'])} ms",
    ]
    if r["mode"] == "stream":
        parts.append(f"ttft p50={f(r.get('ttft_p50_ms'))} p99={f(r.get('ttft_p99_ms'))} ms")
        if r.get("cpu_sut_us_per_chunk") is not None:
            parts.append(f"sut: {f(r['cpu_sut_us_per_chunk'], 1)} cpu-us/chunk")
        if r.get("coalescing_ratio") is not None:
            parts.append(f"tokens/delta={f(r['coalescing_ratio'])}")
    for k in ("sut", "upstream"):
        if f"cpu_{k}_ms_per_call" in r:
            parts.append(
                f"{k}: {f(r[f'cpu_{k}_ms_per_call'], 3)} cpu-ms/call "
                f"{f(r[f'cpu_{k}_pct'], 0)}% rss={f(r[f'rss_{k}_max_mb'], 1)}MB"
            )
    parts.append(f"loadgen={f(r['cpu_loadgen_pct'], 0)}% other={f(r['other_cpu_pct'], 0)}%")
    parts.append(f"errors={r['errors']}")
    if r.get("error_samples"):
        parts.append(json.dumps(r["error_samples"])[:200])
    return " ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=["grpc", "http"], required=True)
    ap.add_argument("--addr", default="127.0.0.1:50051", help="gateway gRPC address (grpc target)")
    ap.add_argument("--url", default="http://127.0.0.1:8001/v1/chat/completions", help="http target")
    ap.add_argument("--model", default=None, help="default: bench/fake (grpc), fake-model (http)")
    ap.add_argument("--mode", choices=["unary", "stream"], default="unary")
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    ap.add_argument("-d", "--duration", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=30.0, help="per-call deadline (s)")
    ap.add_argument("--max-calls", type=int, default=1_000_000)
    ap.add_argument("--api-key", default="", help="sent as authorization: Bearer <key> (grpc target)")
    ap.add_argument("--tokens", type=int, default=20, help="expected tokens per call (0: don't check)")
    ap.add_argument(
        "--session-turns", type=int, default=0, help="grpc: continue each session for N calls (0: none)"
    )
    ap.add_argument(
        "--history-turns",
        type=int,
        default=0,
        help="grpc unary: send the conversation so far (bench/bot's system prompt and turns), N calls long",
    )
    ap.add_argument("--pid", action="append", help="NAME=PID of a process tree to measure")
    ap.add_argument("--label", default=None)
    ap.add_argument("--note", default="")
    ap.add_argument("--out", help="append the JSON result line here")
    ap.add_argument("--no-uvloop", action="store_true")
    ap.add_argument("--procs", type=int, default=1, help="load generator processes sharing -c")
    ap.add_argument("--channels", type=int, default=1, help="gRPC connections per process")
    args = ap.parse_args()
    if args.duration > 300 or args.warmup > 60 or not 1 <= args.concurrency <= 4096:
        sys.exit("bounded: duration <= 300 s, warmup <= 60 s, 1 <= concurrency <= 4096")
    if not 1 <= args.procs <= min(16, args.concurrency) or not 1 <= args.channels <= 64:
        sys.exit("bounded: 1 <= procs <= min(16, concurrency), 1 <= channels <= 64")
    if args.model is None:
        args.model = "bench/fake" if args.target == "grpc" else "fake-model"
    if args.label is None:
        args.label = "gateway" if args.target == "grpc" else "direct"
    host = (
        args.addr.rsplit(":", 1)[0].strip("[]") if args.target == "grpc" else urlparse(args.url).hostname
    ) or ""
    if not (host.startswith("127.") or host in ("localhost", "::1")):
        sys.exit(f"refusing non-loopback target {host!r}")
    if not args.no_uvloop:
        import uvloop

        uvloop.install()
    res = asyncio.run(run(args))
    print(human(res), flush=True)
    if args.out:
        with open(args.out, "a") as fh:
            fh.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
