"""Prometheus metrics end to end: a real gateway with `metrics.address`, the mock
provider and an OpenAI loopback emulator; a mix of successful, failed, retried,
cancelled and streamed calls, then a scrape of /metrics checked for the exact
counts, token sums and label sets."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from typing import Any

import grpc
import pytest

from llmgateway.admin.v1 import admin_service_pb2, admin_service_pb2_grpc
from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import audio_pb2, chat_pb2, embedding_pb2, image_pb2, model_pb2
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import chat, scrape, scrape_when, stream
from tests.integration.test_resilience import KEY_ENV, closed_port_url, model
from tests.pgserver import PostgresCluster

METRICS = {"address": "127.0.0.1:0"}
CALLS = "llmgateway_calls_total"
OPERATIONS = {
    "Chat": "chat",
    "StreamChat": "chat",
    "Embed": "embeddings",
    "GenerateImage": "generate_content",
    "Transcribe": "transcription",
    "SynthesizeSpeech": "speech",
}
CALL_LABELS = ("grpc_method", "gen_ai_request_model", "gen_ai_provider_name", "grpc_code", "error_type")
MODEL_LABELS = ("gen_ai_operation_name", "gen_ai_request_model", "gen_ai_provider_name")
ATTEMPT_LABELS = (*MODEL_LABELS, "deployment", "outcome")


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-test")


@pytest.fixture
async def openai_emu() -> Any:
    async with OpenAIEmulator() as emu:
        yield emu


async def fails(call: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return info.value.code()


async def test_scrape_counts_calls_attempts_and_tokens_exactly(gateway_factory: Any, openai_emu: Any) -> None:
    gw = await gateway_factory(
        include_default_models=True,
        metrics=METRICS,
        models=[
            model("m/a", openai_emu.base_url),
            # nothing listens there: one failure opens its breaker
            model("m/b", closed_port_url(), retry={"max_retries": 0}, cooldown={"failures": 1}),
        ],
    )
    usages: dict[str, list[chat_pb2.Usage]] = {"mock/echo": []}
    # successes: two unary chats, a stream with reasoning, an embedding, an image, speech and
    # its transcription
    for _ in range(2):
        usages["mock/echo"].append((await gw.Chat(chat("mock/echo"), timeout=5)).usage)
    low = chat_pb2.GenerationConfig(reasoning_effort=chat_pb2.REASONING_EFFORT_LOW)
    events = [e async for e in gw.StreamChat(stream("mock/echo", generation=low), timeout=5)]
    usages["mock/echo"].append(events[-1].end.usage)
    assert events[-1].end.usage.reasoning_tokens > 0
    embedded = await gw.Embed(embedding_pb2.EmbedRequest(model="mock/embed", inputs=["a b", "c"]), timeout=5)
    await gw.GenerateImage(image_pb2.GenerateImageRequest(model="mock/image", prompt="red"), timeout=5)
    speech = audio_pb2.SynthesizeSpeechRequest(model="mock/speech", input="Hi.")
    spoken = gw.SynthesizeSpeech(speech, timeout=5)
    wav = b"".join([e.audio.data async for e in spoken])
    heard = await gw.Transcribe(audio_pb2.TranscribeRequest(model="mock/transcribe", audio=wav), timeout=5)
    assert heard.text == "Hi."
    listed = gw.ListModels(model_pb2.ListModelsRequest(), timeout=5)
    await listed
    revision = dict(await listed.trailing_metadata())["x-registry-revision"]
    # a retried success (500, then an answer with cached and reasoning tokens), then a rejection
    openai_emu.scripts = [
        Script(error_status=500, error_kind="server"),
        Script(cached_tokens=5, reasoning_tokens=2),
        Script(error_status=400, error_kind="invalid"),
    ]
    assert (await gw.Chat(chat("m/a"), timeout=5)).attempts == 2
    assert await fails(gw.Chat(chat("m/a"), timeout=5)) == grpc.StatusCode.INVALID_ARGUMENT
    # failures before any upstream: unknown model (caller input: never a label), invalid request
    assert await fails(gw.Chat(chat("caller/made-up"), timeout=5)) == grpc.StatusCode.NOT_FOUND
    assert await fails(gw.Chat(chat_pb2.ChatRequest(model="mock/echo"), timeout=5)) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    # an upstream that is down: the breaker of m/b opens
    assert await fails(gw.Chat(chat("m/b"), timeout=5)) == grpc.StatusCode.UNAVAILABLE
    # the admin plane (no token configured: refused)
    admin = admin_service_pb2_grpc.AdminServiceStub(gw.channel)
    assert await fails(admin.ListModels(admin_service_pb2.ListModelsRequest(), timeout=5)) == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    # a stream the caller cancels after its first delta
    openai_emu.scripts = [Script(stall_after_first_event=30)]
    call = gw.StreamChat(stream("m/a"), timeout=30, metadata=(("x-request-id", "caller-chosen-id"),))
    assert (await call.read()).HasField("start")
    assert (await call.read()).HasField("text_delta")
    call.cancel()

    cancelled = ("StreamChat", "m/a", "openai", "CANCELLED", "CANCELLED")
    m = await scrape_when(gw.metrics_port, lambda s: cancelled in s.series(CALLS, *CALL_LABELS))
    calls = m.series(CALLS, *CALL_LABELS)
    assert calls == {
        ("Chat", "mock/echo", "mock", "OK", ""): 2,
        ("StreamChat", "mock/echo", "mock", "OK", ""): 1,
        ("Embed", "mock/embed", "mock", "OK", ""): 1,
        ("GenerateImage", "mock/image", "mock", "OK", ""): 1,
        ("SynthesizeSpeech", "mock/speech", "mock", "OK", ""): 1,
        ("Transcribe", "mock/transcribe", "mock", "OK", ""): 1,
        ("ListModels", "", "", "OK", ""): 1,
        ("Chat", "m/a", "openai", "OK", ""): 1,
        ("Chat", "m/a", "", "INVALID_ARGUMENT", "PROVIDER_REJECTED"): 1,
        ("Chat", "", "", "NOT_FOUND", "MODEL_NOT_FOUND"): 1,
        ("Chat", "", "", "INVALID_ARGUMENT", "INVALID_REQUEST"): 1,
        ("Chat", "m/b", "", "UNAVAILABLE", "PROVIDER_UNAVAILABLE"): 1,
        ("Admin/ListModels", "", "", "PERMISSION_DENIED", "ADMIN_DISABLED"): 1,
        cancelled: 1,
    }
    # the same calls in the latency histogram, except ListModels and the admin plane
    durations = m.series(
        "gen_ai_server_request_duration_seconds_count",
        "grpc_method",
        "gen_ai_operation_name",
        "gen_ai_request_model",
        "gen_ai_provider_name",
        "error_type",
    )
    assert durations == {
        (method, OPERATIONS[method], mid, provider, error): count
        for (method, mid, provider, _, error), count in calls.items()
        if method in OPERATIONS
    }
    assert m.series("llmgateway_upstream_attempts_total", *ATTEMPT_LABELS) == {
        ("chat", "mock/echo", "mock", "primary", "OK"): 3,
        ("embeddings", "mock/embed", "mock", "primary", "OK"): 1,
        ("generate_content", "mock/image", "mock", "primary", "OK"): 1,
        ("speech", "mock/speech", "mock", "primary", "OK"): 1,
        ("transcription", "mock/transcribe", "mock", "primary", "OK"): 1,
        ("chat", "m/a", "openai", "primary", "PROVIDER_UNAVAILABLE"): 1,
        ("chat", "m/a", "openai", "primary", "OK"): 1,
        ("chat", "m/a", "openai", "primary", "PROVIDER_REJECTED"): 1,
        ("chat", "m/a", "openai", "primary", "CANCELLED"): 1,
        ("chat", "m/b", "openai", "primary", "PROVIDER_UNAVAILABLE"): 1,
    }
    attempt_counts = m.series(
        "gen_ai_client_operation_duration_seconds_count", *MODEL_LABELS, "deployment", "error_type"
    )
    assert sum(attempt_counts.values()) == 12
    assert attempt_counts[("chat", "m/a", "openai", "primary", "")] == 1

    echo = usages["mock/echo"]
    token_sums = m.series("gen_ai_client_token_usage_sum", *MODEL_LABELS, "gen_ai_token_type")
    assert token_sums == {
        ("chat", "mock/echo", "mock", "input"): sum(u.prompt_tokens for u in echo),
        ("chat", "mock/echo", "mock", "output"): sum(u.completion_tokens for u in echo),
        ("embeddings", "mock/embed", "mock", "input"): embedded.usage.prompt_tokens,
        # the answered chat (11 in, 4 out), and the cancelled stream billed what it used:
        # estimated from its request (7) and the first delta it streamed (2)
        ("chat", "m/a", "openai", "input"): 11 + 7,
        ("chat", "m/a", "openai", "output"): 4 + 2,
    }
    assert embedded.usage.prompt_tokens == 3
    token_counts = m.series("gen_ai_client_token_usage_count", *MODEL_LABELS, "gen_ai_token_type")
    assert token_counts == {key: {"mock/echo": 3, "m/a": 2}.get(key[1], 1) for key in token_sums}
    cached = "gen_ai_client_inference_usage_cache_read_input_tokens_total"
    reasoning = "gen_ai_client_inference_usage_reasoning_output_tokens_total"
    assert m.series(cached, *MODEL_LABELS) == {
        ("chat", "mock/echo", "mock"): 0,
        ("embeddings", "mock/embed", "mock"): 0,
        ("chat", "m/a", "openai"): 5,
    }
    assert m.series(reasoning, *MODEL_LABELS) == {
        ("chat", "mock/echo", "mock"): sum(u.reasoning_tokens for u in echo),
        ("embeddings", "mock/embed", "mock"): 0,
        ("chat", "m/a", "openai"): 2,
    }
    # time to first token (or audio): streams only, the cancelled one included (it had its
    # first event)
    assert m.series("gen_ai_server_time_to_first_token_seconds_count", *MODEL_LABELS) == {
        ("chat", "mock/echo", "mock"): 1,
        ("speech", "mock/speech", "mock"): 1,
        ("chat", "m/a", "openai"): 1,
    }
    in_flight = m.series("llmgateway_calls_in_flight", "grpc_method")
    assert set(in_flight) == {(method,) for method, *_ in calls}
    assert set(in_flight.values()) == {0}

    assert m.series(
        "llmgateway_deployment_cooldown_state", "gen_ai_request_model", "deployment", "gen_ai_provider_name"
    ) == {
        ("mock/echo", "primary", "mock"): 0,
        ("mock/embed", "primary", "mock"): 0,
        ("mock/image", "primary", "mock"): 0,
        ("mock/speech", "primary", "mock"): 0,
        ("mock/transcribe", "primary", "mock"): 0,
        ("m/a", "primary", "openai"): 0,
        ("m/b", "primary", "openai"): 2,  # open
    }
    assert m.value("llmgateway_registry_revision") == int(revision)
    assert m.value("llmgateway_registry_models") == 7
    assert m.value("llmgateway_registry_healthy") == 1
    assert m.value("llmgateway_registry_reload_failures_total") == 0
    assert m.value("llmgateway_registry_last_failed_reload_timestamp_seconds") == 0
    assert 0 < time.time() - m.value("llmgateway_registry_last_reload_timestamp_seconds") < 600
    # caller input never becomes a label value
    assert "caller/made-up" not in m.text and "caller-chosen-id" not in m.text


async def test_a_stream_is_in_flight_until_it_ends(gateway_factory: Any, openai_emu: Any) -> None:
    gw = await gateway_factory(
        include_default_models=False, metrics=METRICS, models=[model("m/a", openai_emu.base_url)]
    )
    openai_emu.scripts = [Script(stall_after_first_event=30)]
    call = gw.StreamChat(stream("m/a"), timeout=30)
    assert (await call.read()).HasField("start")
    m = await scrape(gw.metrics_port)
    assert m.series("llmgateway_calls_in_flight", "grpc_method") == {("StreamChat",): 1}
    assert m.series(CALLS, *CALL_LABELS) == {}
    call.cancel()
    m = await scrape_when(gw.metrics_port, lambda s: s.series(CALLS, *CALL_LABELS))
    assert m.series("llmgateway_calls_in_flight", "grpc_method") == {("StreamChat",): 0}


async def test_metrics_are_off_by_default(gateway_factory: Any) -> None:
    gw = await gateway_factory()
    assert gw.metrics_port == 0
    assert Settings().metrics.address == ""


async def test_a_failing_registry_database_shows_in_the_metrics() -> None:
    cluster = PostgresCluster()
    running = None
    try:
        settings = Settings(
            server={"address": "127.0.0.1:0", "uvloop": False},
            registry={"database_url": cluster.new_database(), "refresh_interval_s": 0.2},
            metrics=METRICS,
        )
        running = await start_server(settings)
        m = await scrape(running.metrics_port)
        loaded = m.value("llmgateway_registry_last_reload_timestamp_seconds")
        assert m.value("llmgateway_registry_healthy") == 1
        assert m.value("llmgateway_registry_revision") == running.registry.status.revision
        cluster.stop()
        m = await scrape_when(running.metrics_port, lambda s: s.value("llmgateway_registry_healthy") == 0, 15)
        assert m.value("llmgateway_registry_healthy") == 0
        assert m.value("llmgateway_registry_reload_failures_total") >= 1
        assert m.value("llmgateway_registry_last_failed_reload_timestamp_seconds") >= loaded
        assert m.value("llmgateway_registry_last_reload_timestamp_seconds") <= (
            m.value("llmgateway_registry_last_failed_reload_timestamp_seconds")
        )
    finally:
        if running is not None:
            await running.stop(0)
        cluster.destroy()


async def test_a_failed_start_closes_the_metrics_listener() -> None:
    with socket.socket() as taken, socket.socket() as probe:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        probe.bind(("127.0.0.1", 0))
        metrics_port = probe.getsockname()[1]
        probe.close()
        settings = Settings(
            server={"address": f"127.0.0.1:{taken.getsockname()[1]}", "uvloop": False},
            metrics={"address": f"127.0.0.1:{metrics_port}"},
        )
        with pytest.raises(RuntimeError, match="bind"):
            await start_server(settings)  # the gRPC port is taken, after metrics started
        with socket.socket() as again:
            again.bind(("127.0.0.1", metrics_port))  # free again


@pytest.mark.parametrize(
    ("address", "exit_code", "message"),
    [("127.0.0.1:99999", 2, b"invalid configuration"), ("taken", 1, b"cannot start")],
)
async def test_the_command_reports_a_bad_metrics_address_without_a_traceback(
    address: str, exit_code: int, message: bytes
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        if address == "taken":
            address = f"127.0.0.1:{taken.getsockname()[1]}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLMGATEWAY_")}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "llmgateway.cli",
            "serve",
            "--address",
            "127.0.0.1:0",
            stderr=asyncio.subprocess.PIPE,
            env={**env, "LLMGATEWAY_METRICS__ADDRESS": address},
        )
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == exit_code, err
    assert message in err and b"Traceback" not in err
