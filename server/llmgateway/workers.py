"""Several server processes on one port (`server.workers`, `serve --workers N`).

One Python process runs one event loop on one core; a gateway with more cores runs
N workers, each a whole server (its own event loop, upstream connections, state),
all listening on the same port through SO_REUSEPORT: the kernel spreads incoming
connections over them (the approach of gRPC Python's multiprocessing example). A
gRPC channel is one connection, so one client's calls stay on one worker; many
clients (or channels) spread.

The parent is small: it migrates and syncs the registry once (the workers then only
read it), reserves the port (so that port 0 picks one port for all and nobody takes
it between two worker starts), serves the one `/metrics` of all workers
(prometheus_client's multiprocess mode), starts the workers, starts again a worker
that dies, and on SIGTERM/SIGINT passes SIGTERM to every worker, which drains its
calls within the grace period. Every log line names its process (`worker`: 1..N,
the parent 0).

What the workers do not share: every in-process backend (rate limits, budgets, the
response cache, deployment cooldowns) is per worker. Set `redis.url` to share them.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

from llmgateway.config import Settings, split_host_port
from llmgateway.registry.runtime import Registry
from llmgateway.telemetry.logs import configure_logging

log = logging.getLogger("llmgateway.workers")
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
RESTART_DELAY_S = 1.0
# A worker that dies this soon after its start, this many times in a row, cannot run:
# the parent stops rather than start it forever.
QUICK_DEATH_S = 5.0
QUICK_DEATHS = 3
SHUTDOWN_MARGIN_S = 5.0


def _run_worker(settings: Settings, worker: int) -> None:
    """A worker process: one whole server."""
    from llmgateway.server import run  # imported in the child, after the metrics dir is set

    configure_logging(settings.logging.level, settings.logging.format == "json", worker)
    run(settings, worker)


@contextmanager
def _reserved(address: str) -> Iterator[str]:
    """Binds `address` with SO_REUSEPORT (without listening, so it takes no connection)
    for as long as the workers run; yields host:port with the port it got."""
    host, port = split_host_port(address)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        bound = sock.getsockname()[1]
        yield f"[{host}]:{bound}" if family == socket.AF_INET6 else f"{host}:{bound}"
    finally:
        sock.close()


@contextmanager
def _metrics(settings: Settings) -> Iterator[int]:
    """The workers' metrics in files of a fresh directory, and the one listener over all
    of them; yields its port (0: metrics are off)."""
    if not settings.metrics.address:
        yield 0
        return
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    directory = tempfile.mkdtemp(prefix="llmgateway-metrics-")
    os.environ[MULTIPROC_ENV] = directory  # inherited by the workers
    server = None
    try:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
        host, port = settings.metrics.host_port()
        server, _ = start_http_server(port, host, registry)
        yield server.server_port
    finally:
        if server is not None:
            server.shutdown()
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(directory, ignore_errors=True)


def _prepare_registry(settings: Settings) -> None:
    """Migrates and syncs the registry once, before any worker reads it."""

    async def prepare() -> None:
        registry = await Registry.open(settings)
        await registry.aclose()

    asyncio.run(prepare())


class Supervisor:
    """Starts `count` workers and keeps them running until SIGTERM/SIGINT."""

    def __init__(self, settings: Settings, count: int) -> None:
        self.settings = settings
        self.count = count
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[int, BaseProcess] = {}
        self.started: dict[int, float] = {}
        self.quick_deaths: dict[int, int] = {}
        self.stopping = False

    def run(self) -> int:
        _prepare_registry(self.settings)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        s = self.settings
        with ExitStack() as stack:
            address = stack.enter_context(_reserved(s.server.address))
            admin = stack.enter_context(_reserved(s.admin.address)) if s.admin.address else ""
            metrics_port = stack.enter_context(_metrics(s))
            worker_settings = s.model_copy(deep=True)
            worker_settings.server.address = address
            worker_settings.admin.address = admin
            worker_settings.registry.sync_on_start = False  # done above, once
            for worker in range(1, self.count + 1):
                self._start(worker_settings, worker)
            log.info(
                "workers started",
                extra={
                    "address": address,
                    "port": split_host_port(address)[1],
                    "workers": self.count,
                    "pids": [p.pid for p in self.workers.values()],
                    "metrics_port": metrics_port or None,
                },
            )
            status = self._watch(worker_settings)
            self._shutdown()
        return status

    def _start(self, settings: Settings, worker: int) -> None:
        process = self.context.Process(
            target=_run_worker, args=(settings, worker), name=f"llmgateway-worker-{worker}", daemon=False
        )
        process.start()
        self.workers[worker] = process
        self.started[worker] = time.monotonic()

    def _watch(self, settings: Settings) -> int:
        """Starts again each worker that dies, until asked to stop; 1 when one cannot run."""
        while not self.stopping:
            ended = wait([p.sentinel for p in self.workers.values()], timeout=0.5)
            if self.stopping:
                break
            for worker, process in list(self.workers.items()):
                if process.sentinel not in ended:
                    continue
                process.join()
                self._forget(process)
                quick = time.monotonic() - self.started[worker] < QUICK_DEATH_S
                self.quick_deaths[worker] = self.quick_deaths.get(worker, 0) + 1 if quick else 0
                log.error(
                    "worker died",
                    extra={"dead_worker": worker, "pid": process.pid, "exit_code": process.exitcode},
                )
                if self.quick_deaths[worker] >= QUICK_DEATHS:
                    log.error("a worker keeps dying at start; stopping", extra={"dead_worker": worker})
                    return 1
                time.sleep(RESTART_DELAY_S)
                if not self.stopping:
                    self._start(settings, worker)
                    log.info(
                        "worker restarted", extra={"new_worker": worker, "pid": self.workers[worker].pid}
                    )
        return 0

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _shutdown(self) -> None:
        """SIGTERM to every worker; each drains for the grace period."""
        grace = self.settings.server.grace_period_s
        log.info("shutting down", extra={"grace_period_s": grace, "workers": len(self.workers)})
        alive = [p for p in self.workers.values() if p.is_alive()]
        for process in alive:
            if process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace + SHUTDOWN_MARGIN_S
        for process in alive:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.error("worker did not stop in time; killed", extra={"pid": process.pid})
                process.kill()
                process.join()
            self._forget(process)

    @staticmethod
    def _forget(process: BaseProcess) -> None:
        """Drops a dead worker's live gauges (the in-flight calls it counted)."""
        directory = os.environ.get(MULTIPROC_ENV)
        if directory and process.pid is not None:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(process.pid, directory)  # type: ignore[no-untyped-call]
