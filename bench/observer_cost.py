"""CPU per call of the pipeline's observers, measured in-process (no server, no network).

  python bench/observer_cost.py [-n 200000]

Drives each observer's hooks as the core does for one call: a unary Chat (call_started,
attempt_ended, first_event, call_ended) and a StreamChat (the same; its deltas cost the
observers nothing), through the `Observers` fan-out, with the call records the server
builds. Prints microseconds of process CPU per call: the figure that the end-to-end
benchmark (`PHASES="relay aiohttp metrics" bench/run.sh`) cannot resolve from its
±20% noise. The metrics observer's /metrics listener is not started.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable

from llmgateway.core.calls import AttemptRecord, Call
from llmgateway.core.pipeline import Observers
from llmgateway.core.types import Served, Usage
from llmgateway.telemetry.logs import LogObserver
from llmgateway.telemetry.metrics import build_metrics

SERVED = Served("bench/fake", "openai", "primary", "fake-model", "resp-1")
USAGE = Usage(prompt_tokens=12, completion_tokens=20, cached_prompt_tokens=0, reasoning_tokens=0)


def one_call(observers: Observers, method: str) -> None:
    call = Call(method, "0123456789abcdef0123456789abcdef")
    observers.call_started(call)
    call.model = "bench/fake"
    operation = "stream_chat" if method == "StreamChat" else "chat"
    call.served = SERVED
    call.first_event_at = time.perf_counter()
    observers.first_event(call)
    call.usage = USAGE
    observers.attempt_ended(
        call,
        AttemptRecord(operation, 1, "bench/fake", "primary", "openai", "fake-model", "OK", 0.001, 0.0, USAGE),
    )
    call.status = "OK"
    observers.call_ended(call)


def cpu_us_per_call(observers: Observers, method: str, n: int) -> float:
    for _ in range(1000):  # resolve the labelled series, warm the caches
        one_call(observers, method)
    start = time.process_time()
    for _ in range(n):
        one_call(observers, method)
    return (time.process_time() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=200_000, help="calls per measurement")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.WARNING)  # bench/gateway.yaml's level: call lines off
    variants: dict[str, Callable[[], Observers]] = {
        "none": lambda: Observers(),
        "logs (WARNING)": lambda: Observers([LogObserver()]),
        "metrics": lambda: Observers([build_metrics("127.0.0.1", 0)]),
        "logs (WARNING) + metrics": lambda: Observers([LogObserver(), build_metrics("127.0.0.1", 0)]),
    }
    print("| observers | Chat, µs CPU/call (added) | StreamChat, µs CPU/call (added) |")
    print("|---|---|---|")
    base: tuple[float, ...] = ()
    for name, make in variants.items():
        observers = make()
        costs = tuple(cpu_us_per_call(observers, m, args.n) for m in ("Chat", "StreamChat"))
        base = base or costs  # "none": the call records and the fan-out alone
        cells = " | ".join(f"{c:.2f} (+{c - b:.2f})" for c, b in zip(costs, base, strict=True))
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main()
