"""The shared Redis client against a real redis-server: scripts, bounded failure when
Redis goes away (never a hang), one log line per outage, recovery."""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmgateway.stores.redis import RedisStore, RedisUnavailable
from tests.pgserver import _free_port
from tests.redisserver import RedisServer

INCR = "return redis.call('INCRBY', KEYS[1], ARGV[1])"


async def test_scripts_run_atomically_by_sha(redis_url: str) -> None:
    store = RedisStore(redis_url, 0.5, "t:")
    try:
        script = store.script(INCR)
        assert await store.run(script, [store.key("n")], [2]) == 2
        assert await store.run(script, [store.key("n")], [3]) == 5
        assert await store.call(lambda: store.client.get("t:n")) == b"5"
    finally:
        await store.aclose()


async def test_an_outage_is_bounded_logged_once_and_recovers(
    redis_server: RedisServer, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(redis_url, 0.3, "t:")
    changes: list[bool] = []

    async def notify(healthy: bool) -> None:
        changes.append(healthy)

    store.on_health.append(notify)
    script = store.script(INCR)
    try:
        await store.run(script, [store.key("n")], [1])
        redis_server.stop()
        with caplog.at_level(logging.ERROR, logger="llmgateway.stores.redis"):
            for _ in range(3):
                started = time.monotonic()
                with pytest.raises(RedisUnavailable):
                    await store.run(script, [store.key("n")], [1])
                assert time.monotonic() - started < 2  # bounded by the timeouts, never a hang
        assert [r.getMessage() for r in caplog.records].count(
            "redis is unreachable; policies apply their failure mode"
        ) == 1
        assert (store.healthy, store.outages, changes) == (False, 1, [False])
        redis_server.start()
        assert await store.run(script, [store.key("m")], [1]) == 1
        assert (store.healthy, changes) == (True, [False, True])
    finally:
        await store.aclose()


async def test_scripts_in_flight_together_share_one_connection_and_keep_their_replies(
    redis_url: str,
) -> None:
    store = RedisStore(redis_url, 0.5, "t:")
    try:
        script = store.script(INCR)
        replies = await asyncio.gather(*(store.run(script, [store.key(f"n{i}")], [i + 1]) for i in range(50)))
        assert replies == [i + 1 for i in range(50)]  # each caller got its own script's reply
        info = await store.call(lambda: store.client.info("clients"))
        # The scripts' one pipelined connection, and the pool's for INFO (and SCRIPT LOAD).
        assert info["connected_clients"] == 2
    finally:
        await store.aclose()


async def test_a_failing_script_and_a_cancelled_caller_leave_the_others_of_their_batch_alone(
    redis_url: str,
) -> None:
    store = RedisStore(redis_url, 0.5, "t:")
    try:
        script = store.script(INCR)
        failing = store.script("return redis.error_reply('no such thing')")
        before = asyncio.ensure_future(store.run(script, [store.key("a")], [1]))
        bad = asyncio.ensure_future(store.run(failing, [], []))
        gone = asyncio.ensure_future(store.run(script, [store.key("gone")], [1]))
        after = asyncio.ensure_future(store.run(script, [store.key("b")], [2]))
        await asyncio.sleep(0)  # all four are queued in this turn; one is then cancelled
        gone.cancel()
        results = await asyncio.gather(before, bad, gone, after, return_exceptions=True)
        assert results[0] == 1 and results[3] == 2
        assert isinstance(results[1], RedisUnavailable) and isinstance(results[2], asyncio.CancelledError)
        # The connection stayed in step: the next batch reads its own replies.
        assert await store.run(script, [store.key("a")], [1]) == 2
    finally:
        await store.aclose()


async def test_scripts_are_loaded_again_after_redis_forgets_them(redis_url: str) -> None:
    store = RedisStore(redis_url, 0.5, "t:")
    try:
        script = store.script(INCR)
        assert await store.run(script, [store.key("n")], [1]) == 1
        await store.call(lambda: store.client.script_flush())
        replies = await asyncio.gather(*(store.run(script, [store.key("n")], [1]) for _ in range(3)))
        assert sorted(replies) == [2, 3, 4]
    finally:
        await store.aclose()


async def test_a_silent_redis_fails_the_scripts_in_flight_within_the_timeout(
    redis_server: RedisServer, redis_url: str
) -> None:
    store = RedisStore(redis_url, 0.3, "t:")
    script = store.script(INCR)
    assert redis_server.process is not None
    try:
        assert await store.run(script, [store.key("n")], [1]) == 1
        redis_server.process.send_signal(signal.SIGSTOP)  # connected, but never answers
        try:
            started = time.monotonic()
            results = await asyncio.gather(
                *(store.run(script, [store.key("n")], [1]) for _ in range(5)), return_exceptions=True
            )
            assert all(isinstance(r, RedisUnavailable) for r in results), results
            assert time.monotonic() - started < 2
        finally:
            redis_server.process.send_signal(signal.SIGCONT)
        # A new connection: no reply meant for an abandoned script reaches a new caller.
        assert await store.run(script, [store.key("m")], [5]) == 5
        assert store.healthy
    finally:
        await store.aclose()


async def test_a_script_connection_that_redis_closes_is_replaced_by_the_next_call(redis_url: str) -> None:
    store = RedisStore(redis_url, 2.0, "t:")
    try:
        script = store.script(INCR)
        assert await store.run(script, [store.key("n")], [1]) == 1
        # Redis drops the scripts' connection (not the pool's, which sends the command).
        killed = await store.call(lambda: store.client.client_kill_filter(_type="normal", skipme=True))
        assert killed == 1
        await asyncio.sleep(0.2)  # the close reaches the client
        # On a new connection; a write into the closed one would never be answered.
        assert await store.run(script, [store.key("n")], [1]) == 2
        assert store.healthy
    finally:
        await store.aclose()


async def test_the_script_connection_takes_the_credentials_and_database_of_the_url(redis_url: str) -> None:
    admin = RedisStore(redis_url, 0.5, "t:")
    await admin.call(
        lambda: admin.client.acl_setuser(
            "gw", enabled=True, passwords=["+s3cret"], keys=["*"], commands=["+@all"]
        )
    )
    user_url = redis_url.replace("redis://", "redis://gw:s3cret@").rsplit("/", 1)[0] + "/3"
    store = RedisStore(user_url, 0.5, "t:")
    try:
        script = store.script(INCR)
        assert await store.run(script, [store.key("n")], [7]) == 7
        assert await store.call(lambda: store.client.get("t:n")) == b"7"  # database 3, as the URL says
        assert await admin.call(lambda: admin.client.get("t:n")) is None  # not database 0
        wrong = RedisStore(user_url.replace("s3cret", "wrong"), 0.5, "t:")
        with pytest.raises(RedisUnavailable):
            await wrong.run(wrong.script(INCR), [wrong.key("n")], [1])
        await wrong.aclose()
    finally:
        await store.call(lambda: store.client.flushdb())
        await store.aclose()
        await admin.call(lambda: admin.client.acl_deluser("gw"))
        await admin.aclose()


async def _broken_redis(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers redis-py's handshake like Redis (+OK, +PONG), and a script with bytes
    that are not RESP."""
    try:
        while header := await reader.readline():
            words = []
            for _ in range(int(header[1:])):  # "*N": N bulk strings, "$len" then the bytes
                length = int((await reader.readline())[1:])
                words.append((await reader.readexactly(length + 2))[:-2].upper())
            replies = {b"EVALSHA": b"?not resp\r\n", b"PING": b"+PONG\r\n"}
            writer.write(replies.get(words[0], b"+OK\r\n"))
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def test_a_reply_that_is_not_resp_fails_the_scripts_in_flight_at_once() -> None:
    server = await asyncio.start_server(_broken_redis, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0", 5.0, "t:")
    try:
        started = time.monotonic()
        with pytest.raises(RedisUnavailable) as raised:
            await store.run(store.script(INCR), [store.key("n")], [1])
        assert time.monotonic() - started < 1  # at once, not after the 5 s timeout
        assert "malformed reply" in str(raised.value.__cause__)  # said as such, not as a lost link
        assert not store.healthy
    finally:
        await store.aclose()
        server.close()
        await server.wait_closed()


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A redis-server that also listens with TLS: its TLS port and CA certificate."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make the test's certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    tls_port = _free_port()
    server = RedisServer(
        "--tls-port", str(tls_port), "--tls-cert-file", str(cert), "--tls-key-file", str(key),
        "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no",
    )  # fmt: skip
    yield tls_port, cert
    server.destroy()


async def test_scripts_run_over_tls(tls_redis: tuple[int, Path]) -> None:
    """The pipe drives the transport redis-py opened, TLS included (`rediss://`)."""
    port, cert = tls_redis
    store = RedisStore(f"rediss://127.0.0.1:{port}/0?ssl_ca_certs={cert}", 2.0, "t:")
    try:
        script = store.script(INCR)
        replies = await asyncio.gather(*(store.run(script, [store.key(f"n{i}")], [i + 1]) for i in range(20)))
        assert replies == [i + 1 for i in range(20)]
        assert await store.run(script, [store.key("n0")], [5]) == 6
    finally:
        await store.aclose()
