"""Probe: the worst request each RPC allows (server/llmgateway/api/bounds.py) against a
concurrent pinger.

Starts `llmgateway serve` on a free loopback port (fresh SQLite registry, an admin token,
logging at WARNING), fills the registry with --models small models, and starts a pinger
process that calls grpc.health.v1 Check every --interval-ms. Then, case by case, it sends
the case's request --repeats times back to back (after one warm-up call that also checks
the status) and reports for the case's window:

  ping p50 / p99 / max   the pinger's latency (ms): how long the gateway's event loop was
                         busy with the case instead of answering the health check
  call ms                the case's own calls, median
  CPU ms/call            the gateway process's CPU time (all its threads) per call: unlike
                         the latencies, it hardly moves when other processes load the machine
  RSS +MB                the gateway's peak resident memory (VmHWM, reset before the
                         case) minus its resident memory when the case started
  status                 what the calls got (OK, or the code of a refused request)

Cases marked "refused" are requests that fail a bound: their cost is what parsing the
bytes costs before any bound can be checked. Requests are serialized before the window.

  .venv/bin/python bench/probe_bounds.py                  # ~1 min on 2 cores
  .venv/bin/python bench/probe_bounds.py --repeats 10 --out bench/results/probe.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_type_hints

import grpc
from google.protobuf import field_mask_pb2, struct_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from llmgateway.admin.v1 import admin_service_pb2 as admin_pb
from llmgateway.admin.v1 import model_pb2 as admin_model_pb2
from llmgateway.api import bounds as b
from llmgateway.core import models
from llmgateway.core.fields import MaxItems, MaxLength
from llmgateway.v1 import chat_pb2, embedding_pb2, image_pb2, model_pb2

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "probe-admin-token-0123456789abcdef"
AUTH = (("authorization", f"Bearer {TOKEN}"),)
MIB = 1024 * 1024
REQUEST_BYTES = MIB  # server.max_request_bytes (--request-bytes); its default
PNG = b"\x89PNG\r\n\x1a\n" + bytes(56)  # the gateway sniffs the type; the mock never decodes it


@dataclass
class Case:
    name: str
    method: str  # /package.Service/Method
    request: bytes
    streaming: bool = False
    admin: bool = False
    fresh: Callable[[int], bytes] | None = None  # a new request per call (CreateModel ids)


# -- requests ---------------------------------------------------------------------------------
def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(value)
    return s


def _text(t: str) -> chat_pb2.ContentPart:
    return chat_pb2.ContentPart(text=t)


def _tools() -> list[chat_pb2.Tool]:
    """`b.TOOLS` tools whose schemas use up the request's schema values (each an object of
    string properties), and descriptions at their limit."""
    count = (b.SCHEMA_NODES // b.TOOLS - 2) // 2
    props = {f"p{j}": {"type": "string"} for j in range(count)}
    schema = _struct({"type": "object", "properties": props})
    return [
        chat_pb2.Tool(name=f"tool_{i}", description="d" * b.TOOL_DESCRIPTION, parameters=schema)
        for i in range(b.TOOLS)
    ]


def _conversation(big_text: int) -> list[chat_pb2.Message]:
    """`b.MESSAGES` messages holding `b.CONTENT_PARTS` parts, `b.TOOL_CALLS` tool calls and
    `b.IMAGES` images, ids at their limit; the last user message carries `big_text`
    characters of one-letter words (the most tokens per byte)."""
    messages = [chat_pb2.Message(role=chat_pb2.ROLE_SYSTEM, content=[_text("be brief")])]
    triples = (b.MESSAGES - 2) // 3
    calls = images = 0
    extra_calls = b.TOOL_CALLS - triples
    for i in range(triples):
        user_parts = [_text(f"question {i}")]
        for _ in range(3):
            if images < b.IMAGES:
                user_parts.append(chat_pb2.ContentPart(image=chat_pb2.ImagePart(data=PNG)))
                images += 1
            else:
                user_parts.append(_text("more"))
        ids = [f"{'c' * (b.ID - 12)}{calls + k:012d}" for k in range(2 if i < extra_calls else 1)]
        calls += len(ids)
        messages += [
            chat_pb2.Message(role=chat_pb2.ROLE_USER, content=user_parts),
            chat_pb2.Message(
                role=chat_pb2.ROLE_ASSISTANT,
                content=[_text("calling")],
                tool_calls=[chat_pb2.ToolCall(id=x, name="tool_0", arguments='{"p0": "x"}') for x in ids],
            ),
            chat_pb2.Message(role=chat_pb2.ROLE_TOOL, tool_call_id=ids[-1], content=[_text("42")]),
        ]
    messages.append(chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[_text("a " * (big_text // 2))]))
    return messages


def _chat(cls: Any, messages: list[chat_pb2.Message], **fields: Any) -> Any:
    return cls(model="mock/echo", messages=messages, user="u" * b.USER, **fields)


def _filled(request: Any) -> bytes:
    """`request` with its last message's first text grown to the request size limit."""
    room = REQUEST_BYTES - request.ByteSize() - 64
    request.messages[-1].content[0].text += "a " * (room // 2)
    return request.SerializeToString()  # type: ignore[no-any-return]


def _kitchen_sink(cls: Any) -> bytes:
    """Every chat bound at once, with the rest of the request size in one text."""
    tools = _tools()
    request = _chat(
        cls,
        _conversation(0),
        tools=tools,
        generation=chat_pb2.GenerationConfig(
            stop=["s" * b.STOP] * b.STOP_SEQUENCES, reasoning_effort=chat_pb2.REASONING_EFFORT_HIGH
        ),
    )
    return _filled(request)


def _bound(annotated: Any, kind: type[Any]) -> Any:
    return next(a for a in get_args(annotated)[1:] if isinstance(a, kind))


# The admin model's own bounds (core/models.py): options per upstream and their length,
# deployments per model.
OPTIONS = _bound(models.Options, MaxItems).count
OPTION_CHARS = _bound(models.Options, MaxLength).chars
DEPLOYMENTS = _bound(get_type_hints(models.Model, include_extras=True)["deployments"], MaxItems).count


def _admin_model(model_id: str, option_chars: int) -> admin_model_pb2.Model:
    options = {f"option{i:03d}": "v" * option_chars for i in range(OPTIONS)}
    deployments = [
        admin_model_pb2.Deployment(id=f"d{i}", provider="mock", upstream_model="echo", options=options)
        for i in range(DEPLOYMENTS)
    ]
    return admin_model_pb2.Model(
        id=model_id,
        provider="mock",
        upstream_model="echo",
        capabilities=[model_pb2.CAPABILITY_CHAT],
        options=options,
        deployments=deployments,
    )


def _size(times: int = 1) -> str:
    size = REQUEST_BYTES * times
    return f"{size // MIB} MiB" if size % MIB == 0 else f"{size // 1024} KiB"


def cases() -> list[Case]:
    gw, adm = "/llmgateway.v1.GatewayService/", "/llmgateway.admin.v1.AdminService/"
    big_model_bytes = _admin_model("probe/big-0", 1).ByteSize()
    per_option = (REQUEST_BYTES - big_model_bytes - 4096) // (OPTIONS * (DEPLOYMENTS + 1))
    option_chars = max(1, min(per_option, OPTION_CHARS))

    def create(i: int) -> bytes:
        return admin_pb.CreateModelRequest(  # type: ignore[no-any-return]
            model=_admin_model(f"probe/big-{i}", option_chars)
        ).SerializeToString()

    empty_messages = b"\x12\x00"  # one empty Message: the densest ChatRequest there is
    return [
        Case(f"Chat: every bound at once ({_size()})", gw + "Chat", _kitchen_sink(chat_pb2.ChatRequest)),
        Case(
            f"Chat: {b.MESSAGES} messages, {b.CONTENT_PARTS} parts",
            gw + "Chat",
            _chat(chat_pb2.ChatRequest, _conversation(0)).SerializeToString(),
        ),
        Case(
            f"Chat: {b.TOOLS} tools, {b.SCHEMA_NODES} schema values",
            gw + "Chat",
            _chat(
                chat_pb2.ChatRequest,
                [chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[_text("hi")])],
                tools=_tools(),
            ).SerializeToString(),
        ),
        Case(
            f"Chat: one text of {_size()}",
            gw + "Chat",
            _filled(
                _chat(chat_pb2.ChatRequest, [chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[_text("")])])
            ),
        ),
        Case(
            f"StreamChat: every bound at once ({_size()})",
            gw + "StreamChat",
            _kitchen_sink(chat_pb2.StreamChatRequest),
            streaming=True,
        ),
        Case(
            f"StreamChat: {_size()} text, 4096 streamed tokens",
            gw + "StreamChat",
            _filled(
                _chat(
                    chat_pb2.StreamChatRequest,
                    [chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[_text("")])],
                )
            ),
            streaming=True,
        ),
        Case(
            f"Embed: {b.EMBED_INPUTS} inputs x {b.EMBED_VALUES // b.EMBED_INPUTS} dims ({_size()})",
            gw + "Embed",
            embedding_pb2.EmbedRequest(
                model="mock/embed",
                inputs=["a " * (REQUEST_BYTES // b.EMBED_INPUTS // 2 - 4)] * b.EMBED_INPUTS,
                dimensions=b.EMBED_VALUES // b.EMBED_INPUTS,
            ).SerializeToString(),
        ),
        Case(
            f"Embed: {b.EMBED_VALUES // b.DIMENSIONS} inputs x {b.DIMENSIONS} dims",
            gw + "Embed",
            embedding_pb2.EmbedRequest(
                model="mock/embed",
                inputs=["word " * 1000] * (b.EMBED_VALUES // b.DIMENSIONS),
                dimensions=b.DIMENSIONS,
            ).SerializeToString(),
        ),
        Case(
            f"GenerateImage: {b.IMAGE_COUNT} images, {b.PROMPT}-char prompt",
            gw + "GenerateImage",
            image_pb2.GenerateImageRequest(
                model="mock/image", prompt="p" * b.PROMPT, count=b.IMAGE_COUNT, size="1024x1024"
            ).SerializeToString(),
        ),
        Case(
            f"ListModels: page of {b.PAGE_SIZE}",
            gw + "ListModels",
            model_pb2.ListModelsRequest(page_size=b.PAGE_SIZE).SerializeToString(),
        ),
        Case("admin CreateModel: largest model", adm + "CreateModel", create(0), admin=True, fresh=create),
        Case(
            "admin GetModel: largest model",
            adm + "GetModel",
            admin_pb.GetModelRequest(id="probe/big-1").SerializeToString(),
            admin=True,
        ),
        Case(
            "admin UpdateModel: largest model, every field",
            adm + "UpdateModel",
            admin_pb.UpdateModelRequest(
                model=_admin_model("probe/big-1", option_chars),
                update_mask=field_mask_pb2.FieldMask(paths=["*"]),
            ).SerializeToString(),
            admin=True,
        ),
        Case(
            f"admin ListModels: page of {b.ADMIN_PAGE_SIZE}",
            adm + "ListModels",
            admin_pb.ListModelsRequest(page_size=b.ADMIN_PAGE_SIZE).SerializeToString(),
            admin=True,
        ),
        Case(
            "admin SyncModels: dry run",
            adm + "SyncModels",
            admin_pb.SyncModelsRequest(dry_run=True).SerializeToString(),
            admin=True,
        ),
        Case(
            f"refused: ListModels with a {_size()} page token (the transport alone)",
            gw + "ListModels",
            model_pb2.ListModelsRequest(page_token="t" * (REQUEST_BYTES - 16)).SerializeToString(),
        ),
        Case(
            f"refused: Chat of {_size()} of empty messages",
            gw + "Chat",
            b"\x0a\x09mock/echo" + empty_messages * (REQUEST_BYTES // 2 - 8),
        ),
        Case(
            f"refused: Chat of {_size(2)} of empty messages (not parsed)",
            gw + "Chat",
            b"\x0a\x09mock/echo" + empty_messages * (REQUEST_BYTES - 8),
        ),
    ]


# -- the gateway, the pinger ------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _reset_peak_rss(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM starts again from VmRSS


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all threads), from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def pinger(address: str, interval: float) -> None:
    """Runs in its own process: pings until stdin closes, then prints [sent, latency] pairs."""
    samples: list[tuple[float, float]] = []

    async def run() -> None:
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        loop.add_reader(sys.stdin.fileno(), lambda: stop.done() or stop.set_result(None))
        async with grpc.aio.insecure_channel(address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while not stop.done():
                sent = time.monotonic()
                with contextlib.suppress(grpc.aio.AioRpcError):
                    await health.Check(health_pb2.HealthCheckRequest(), timeout=30)
                samples.append((sent, time.monotonic() - sent))
                await asyncio.sleep(interval)

    asyncio.run(run())
    json.dump(samples, sys.stdout)


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _call(channel: grpc.aio.Channel, case: Case, request: bytes) -> str:
    metadata = AUTH if case.admin else None
    try:
        if case.streaming:
            stream = channel.unary_stream(case.method)(request, metadata=metadata, timeout=120)
            async for _ in stream:
                pass
        else:
            await channel.unary_unary(case.method)(request, metadata=metadata, timeout=120)
    except grpc.aio.AioRpcError as exc:
        return exc.code().name
    return "OK"


async def probe(
    args: argparse.Namespace, address: str, pid: int, ping: subprocess.Popen[bytes]
) -> list[dict[str, Any]]:
    results = []
    options = [("grpc.max_send_message_length", 64 * MIB), ("grpc.max_receive_message_length", 64 * MIB)]
    async with grpc.aio.insecure_channel(address, options=options) as channel:
        create = channel.unary_unary("/llmgateway.admin.v1.AdminService/CreateModel")
        for i in range(args.models):
            model = admin_model_pb2.Model(
                id=f"probe/m{i:05d}", provider="mock", upstream_model="echo", capabilities=[1, 2]
            )
            await create(
                admin_pb.CreateModelRequest(model=model).SerializeToString(), metadata=AUTH, timeout=30
            )
        windows: list[tuple[Case | None, float, float, list[float], list[str], float, float]] = []
        try:
            await asyncio.sleep(1.0)
            start = time.monotonic()
            await asyncio.sleep(1.0)
            windows.append((None, start, time.monotonic(), [], ["-"], 0.0, 0.0))
            for case in cases():
                if args.only and args.only not in case.name:
                    continue
                # CreateModel makes probe/big-1, -2, ...: GetModel and UpdateModel use the first.
                made = [case.fresh(k + 1) if case.fresh else case.request for k in range(args.repeats + 1)]
                warm, requests = await _call(channel, case, made[0]), made[1:]
                await asyncio.sleep(0.2)
                rss_before = _status_kb(pid, "VmRSS")
                _reset_peak_rss(pid)
                cpu_before = _cpu_seconds(pid)
                start = time.monotonic()
                latencies, statuses = [], {warm}
                for request in requests:
                    t = time.monotonic()
                    statuses.add(await _call(channel, case, request))
                    latencies.append(time.monotonic() - t)
                await asyncio.sleep(0.05)  # the pings delayed by the last call come back
                growth = (_status_kb(pid, "VmHWM") - rss_before) / 1024
                cpu = (_cpu_seconds(pid) - cpu_before) / len(requests)
                windows.append((case, start, time.monotonic(), latencies, sorted(statuses), growth, cpu))
        finally:
            out, _ = ping.communicate(b"stop\n", timeout=60)
    samples = json.loads(out)
    for case, start, end, latencies, statuses, growth, cpu in windows:
        pings = [lat * 1000 for sent, lat in samples if sent <= end and sent + lat >= start]
        results.append(
            {
                "case": case.name if case else "idle (no request)",
                "ping_p50_ms": round(statistics.median(pings), 2) if pings else None,
                "ping_p99_ms": round(_percentile(pings, 99), 2) if pings else None,
                "ping_max_ms": round(max(pings), 2) if pings else None,
                "pings": len(pings),
                "call_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
                "cpu_ms_per_call": round(cpu * 1000, 1) if latencies else None,
                "rss_growth_mb": round(growth, 1),
                "status": ",".join(statuses),
            }
        )
    return results


def main() -> int:
    global REQUEST_BYTES
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5, help="calls per case (after one warm-up)")
    parser.add_argument("--interval-ms", type=float, default=5.0, help="pause between two pings")
    parser.add_argument("--models", type=int, default=300, help="models added to the registry first")
    parser.add_argument(
        "--request-bytes", type=int, default=REQUEST_BYTES, help="server.max_request_bytes of the gateway"
    )
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    parser.add_argument("--out", help="append one JSON line per case to this file")
    parser.add_argument("--gw-bin", default=str(ROOT / ".venv/bin/llmgateway"))
    parser.add_argument("--pinger", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pinger:
        pinger(args.pinger[0], float(args.pinger[1]) / 1000)
        return 0
    REQUEST_BYTES = args.request_bytes
    port = _free_port()
    address = f"127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "LLMGATEWAY_REGISTRY__DATABASE_URL": f"sqlite:///{tmp}/registry.db",
            "LLMGATEWAY_ADMIN_TOKEN": TOKEN,
            "LLMGATEWAY_LOGGING__LEVEL": "WARNING",
            "LLMGATEWAY_REGISTRY__REFRESH_INTERVAL_S": "3600",
            "LLMGATEWAY_SERVER__MAX_REQUEST_BYTES": str(REQUEST_BYTES),
        }
        gateway = subprocess.Popen([args.gw_bin, "serve", "--address", address], env=env)
        try:
            _wait_ready(address, gateway)
            ping = subprocess.Popen(
                [sys.executable, __file__, "--pinger", address, str(args.interval_ms)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            try:
                results = asyncio.run(probe(args, address, gateway.pid, ping))
            finally:
                if ping.poll() is None:
                    ping.kill()
                    ping.wait()
        finally:
            gateway.terminate()
            try:
                gateway.wait(timeout=15)
            except subprocess.TimeoutExpired:
                gateway.kill()
                gateway.wait()
    _report(results, args)
    return 0


def _wait_ready(address: str, gateway: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    with grpc.insecure_channel(address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if gateway.poll() is not None:
                raise SystemExit(f"the gateway exited with {gateway.returncode}")
            with contextlib.suppress(grpc.RpcError):
                if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return
            time.sleep(0.2)
    raise SystemExit("the gateway did not become healthy within 60 s")


def _report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"\nrepeats {args.repeats}, ping every {args.interval_ms} ms, {args.models} models in the registry, "
        f"server.max_request_bytes {REQUEST_BYTES}"
    )
    print("| case | ping p50 ms | ping p99 ms | ping max ms | call ms | CPU ms/call | RSS +MB | status |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        cells = [
            r[k] for k in ("case", "ping_p50_ms", "ping_p99_ms", "ping_max_ms", "call_ms", "cpu_ms_per_call")
        ]
        cells += [r["rss_growth_mb"], r["status"]]
        print("| " + " | ".join("" if c is None else str(c) for c in cells) + " |")
    if args.out:
        with open(args.out, "a") as out:
            for r in results:
                out.write(json.dumps({**r, "repeats": args.repeats, "interval_ms": args.interval_ms}) + "\n")


if __name__ == "__main__":
    sys.exit(main())
