"""CPU per Lua script call on Redis: redis-py's own script call (a pooled connection
per command) against `RedisStore.run`, which writes every script at once on one
pipelined connection and hands the replies out in order (stores/pipe.py), at 1, 4
and 16 concurrent callers. Starts its own redis-server on a free loopback port (and
stops it).

  python bench/redis_scripts.py [-n 8000] [--repeats 3] [--no-uvloop]

Prints the median over the repeats of microseconds of this process's CPU per script
and the scripts per second. The redis-server runs on CPU 0 and this process on CPU 1
when the machine has two.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import time
from collections.abc import Awaitable, Callable
from typing import Any

from llmgateway.stores.redis import RedisStore

SOURCE = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def measure(url: str, pipelined: bool, callers: int, n: int) -> tuple[float, float]:
    store = RedisStore(url, 1.0, "bench:")
    script = store.script(SOURCE)
    keys = [store.key("n")]
    one: Callable[[], Awaitable[Any]] = (
        (lambda: store.run(script, keys, [1])) if pipelined else (lambda: script(keys=keys, args=[1]))
    )

    async def caller(count: int) -> None:
        for _ in range(count):
            await one()

    try:
        await caller(200)  # connections open, script loaded
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(caller(n // callers) for _ in range(callers)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        await store.aclose()
    return cpu / n * 1e6, n / wall


async def compare(url: str, n: int, repeats: int) -> None:
    await asyncio.sleep(0.3)  # redis-server starting
    for callers in (1, 4, 16):
        figures: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for _ in range(repeats):  # interleaved, so drift on the machine hits both alike
            for pipelined in (False, True):
                figures[pipelined].append(await measure(url, pipelined, callers, n))
        for pipelined, runs in figures.items():
            name = "RedisStore.run (pipelined)" if pipelined else "redis-py script call"
            cpu = statistics.median(r[0] for r in runs)
            rate = statistics.median(r[1] for r in runs)
            print(f"c={callers:<2} {name:26s} {cpu:6.1f} µs CPU per script  {rate:8.0f} scripts/s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=8000, help="scripts per measurement")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-uvloop", action="store_true", help="asyncio's own event loop")
    args = parser.parse_args()
    port = free_port()
    two_cpus = len(os.sched_getaffinity(0)) > 1
    pin = ["taskset", "-c", "0"] if two_cpus else []
    server = subprocess.Popen(
        [*pin, "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    if two_cpus:
        os.sched_setaffinity(0, {1})
    try:
        run = asyncio.run
        if not args.no_uvloop:  # as the server runs
            with contextlib.suppress(ImportError):
                import uvloop

                run = uvloop.run
        run(compare(f"redis://127.0.0.1:{port}/0", args.n, args.repeats))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
