"""No secret leaves the gateway, through the real server: upstreams that quote the key
they received (error bodies, in-stream error events, headers) reach the caller
scrubbed; a model with its own base URL gets no default key; credential references
to the gateway's own secrets, to files outside the secret directories, or that are
keys themselves are refused by the Admin API and by the YAML sync. The canary guard
(tests/canaries.py) checks every response, log line and trailer of each test too."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from sqlalchemy import insert

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import admin_service_pb2_grpc
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.core.models import Capability, Model
from llmgateway.core.secrets import REDACTED
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine
from llmgateway.registry.rows import to_row
from llmgateway.registry.schema import models
from llmgateway.registry.transaction import now
from llmgateway.v1 import model_pb2
from tests.canaries import ADMIN_TOKEN, PROVIDER_KEY, PROVIDER_KEY_ENV, LeakGuard, canary
from tests.emulators.anthropic import AnthropicEmulator
from tests.emulators.base import Emulator, Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, stream

FILE_KEY = canary("file-key", "sk-")  # a `file:` secret
DEFAULT_KEY = canary("default-key", "sk-")  # OPENAI_API_KEY: the provider's default key
ADMIN_ENV = "TEAM_ADMIN_API_KEY"  # the admin token's variable; matches the allowed *_API_KEY
AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)
OPENAI = "llmgateway.providers.openai.OpenAIAdapter"
QUICK = {"retry": {"max_retries": 0}, "cooldown": {"failures": 1000}}


def upstream(model_id: str, provider: str, url: str, credential_ref: str = "", **kw: Any) -> dict[str, Any]:
    entry = {"id": model_id, "provider": provider, "upstream_model": "m", "base_url": url, **QUICK, **kw}
    if credential_ref:
        entry["credential_ref"] = credential_ref
    return entry


@pytest.fixture
async def env(
    gateway_factory: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, leak_guard: LeakGuard
) -> AsyncIterator[dict[str, Any]]:
    """A gateway in front of an OpenAI and an Anthropic emulator, keys from the canary set."""
    for value in (FILE_KEY, DEFAULT_KEY):
        leak_guard.add_canary(value)
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", DEFAULT_KEY)
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    (secrets_dir / "upstream-key").write_text(f"{FILE_KEY}\n")
    async with OpenAIEmulator() as openai_emu, AnthropicEmulator() as anthropic_emu:
        keyless = upstream("up/keyless", "openai", openai_emu.base_url)
        keyless["deployments"] = [
            {"id": "eu", "provider": "openai", "upstream_model": "m", "base_url": openai_emu.base_url}
        ]
        gateway = await gateway_factory(
            include_default_models=False,
            admin={"token_env": ADMIN_ENV},
            secrets={"allowed_dirs": [str(secrets_dir)]},
            models=[
                upstream("up/openai", "openai", openai_emu.base_url, PROVIDER_KEY_ENV),
                upstream("up/claude", "anthropic", anthropic_emu.base_url, PROVIDER_KEY_ENV),
                upstream("up/file", "openai", openai_emu.base_url, f"file:{secrets_dir}/upstream-key"),
                keyless,
            ],
        )
        yield {
            "gateway": gateway,
            "admin": admin_service_pb2_grpc.AdminServiceStub(gateway.channel),
            "up/openai": openai_emu,
            "up/file": openai_emu,
            "up/keyless": openai_emu,
            "up/claude": anthropic_emu,
            "keys": {"up/openai": PROVIDER_KEY, "up/claude": PROVIDER_KEY, "up/file": FILE_KEY},
        }


async def failure(call: Any) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return Details(info.value)


def everything(details: Details) -> str:
    return repr((details.message, details.error_info, details.bad_request))


MODELS = ["up/openai", "up/claude", "up/file"]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, "invalid"), (404, "not_found"), (429, "rate_limit"), (500, "server"), (200, "server")],
)
async def test_an_upstream_error_quoting_the_key_reaches_the_caller_scrubbed(
    env: dict[str, Any], model: str, status: int, kind: str
) -> None:
    emu: Emulator = env[model]
    emu.script = Script(error_status=status, error_kind=kind, echo_key=True)
    details = await failure(env["gateway"].Chat(chat(model), timeout=5))
    assert emu.received_key() == env["keys"][model]  # the upstream did get the key, and quoted it
    assert REDACTED in details.message and env["keys"][model][-12:] not in everything(details)


@pytest.mark.parametrize("model", MODELS)
async def test_an_error_event_mid_stream_quoting_the_key_is_scrubbed(env: dict[str, Any], model: str) -> None:
    env[model].script = Script(text_chunks=list("abcdef"), midstream_error=True, echo_key=True)
    call = env["gateway"].StreamChat(stream(model), timeout=5)
    kinds = []
    with pytest.raises(grpc.aio.AioRpcError) as info:
        async for event in call:
            kinds.append(event.WhichOneof("event"))
    details = Details(info.value)
    assert kinds[0] == "start" and details.code == grpc.StatusCode.UNAVAILABLE
    assert REDACTED in details.message and env["keys"][model][-12:] not in everything(details)


async def test_a_request_id_header_quoting_the_key_is_scrubbed(env: dict[str, Any]) -> None:
    env["up/claude"].script = Script(error_status=500, error_kind="server", echo_key=True)
    details = await failure(env["gateway"].Chat(chat("up/claude"), timeout=5))
    assert details.error_info.metadata["request_id"] == f"req_{REDACTED}"


async def test_a_model_with_its_own_base_url_gets_no_default_key(env: dict[str, Any]) -> None:
    emu: OpenAIEmulator = env["up/keyless"]
    emu.require_auth = False
    for _ in range(4):  # the primary and the `eu` deployment
        assert (await env["gateway"].Chat(chat("up/keyless"), timeout=5)).message.content[0].text
    assert len(emu.requests) == 4
    for request in emu.requests:
        assert "authorization" not in request.headers
        assert DEFAULT_KEY not in repr(request.headers)


def model_with(credential_ref: str, model_id: str = "team/m", **kw: Any) -> admin_pb2.Model:
    return admin_pb2.Model(
        id=model_id,
        provider="mock",
        upstream_model="echo",
        credential_ref=credential_ref,
        capabilities=[model_pb2.CAPABILITY_CHAT],
        **kw,
    )


REFUSED = [
    pytest.param("LLMGATEWAY_ADMIN_TOKEN", id="gateway-variable"),
    pytest.param(ADMIN_ENV, id="admin-token-variable"),
    pytest.param("HOME", id="not-an-allowed-name"),
    pytest.param("file:/etc/passwd", id="outside-the-secret-dirs"),
    pytest.param("file:/run/secrets/../../etc/passwd", id="dot-dot"),
    pytest.param(PROVIDER_KEY, id="pasted-key"),
    pytest.param("gsk_8hF2kQ9xLm3NpR7tVw1YzA4bC6dE", id="pasted-key-shaped-like-a-name"),
]


@pytest.mark.parametrize("ref", REFUSED)
async def test_the_admin_api_refuses_the_reference(env: dict[str, Any], ref: str) -> None:
    admin = env["admin"]
    deployment = admin_pb2.Deployment(id="d", provider="mock", upstream_model="echo", credential_ref=ref)
    for model in (model_with(ref), model_with("", deployments=[deployment])):
        request = pb.CreateModelRequest(model=model)
        details = await failure(admin.CreateModel(request, metadata=AUTH, timeout=5))
        assert details.code == grpc.StatusCode.INVALID_ARGUMENT
        assert details.fields in (["model.credential_ref"], ["model.deployments[0].credential_ref"])
        assert ref not in everything(details)
    await admin.CreateModel(pb.CreateModelRequest(model=model_with("TEAM_API_KEY")), metadata=AUTH, timeout=5)
    update = pb.UpdateModelRequest(model=model_with(ref))
    update.update_mask.paths.append("credential_ref")
    details = await failure(admin.UpdateModel(update, metadata=AUTH, timeout=5))
    assert details.fields == ["model.credential_ref"] and ref not in everything(details)


async def test_yaml_models_with_refused_references_are_sync_errors(
    gateway_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    refused = {f"bad/{i}": ref.values[0] for i, ref in enumerate(REFUSED)}
    entries = [
        {"id": i, "provider": "mock", "upstream_model": "echo", "credential_ref": r}
        for i, r in refused.items()
    ]
    good = {"id": "good/m", "provider": "mock", "upstream_model": "echo", "credential_ref": "GOOD_API_KEY"}
    gateway = await gateway_factory(
        include_default_models=False, admin={"token_env": ADMIN_ENV}, models=[*entries, good]
    )
    report = await admin_service_pb2_grpc.AdminServiceStub(gateway.channel).SyncModels(
        pb.SyncModelsRequest(dry_run=True), metadata=AUTH, timeout=5
    )
    assert {(e.id, e.field) for e in report.errors} == {(i, "model.credential_ref") for i in refused}
    assert "good/m" in report.unchanged
    for model_id in refused:
        details = await failure(gateway.Chat(chat(model_id), timeout=5))
        assert details.reason == "MODEL_NOT_FOUND"


async def test_a_key_stored_as_a_reference_earlier_is_never_shown_nor_used(
    gateway_factory: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, leak_guard: LeakGuard
) -> None:
    """A row written before references were checked, with a pasted key as its reference."""
    pasted = f"gsk_{secrets.token_hex(16)}"  # passed the old check: letters, digits and `_`
    leak_guard.add_canary(pasted)
    url = f"sqlite:///{tmp_path}/legacy.db"
    engine = create_registry_engine(url)
    migrate.upgrade(engine)
    legacy = Model(
        "legacy/m", "openai", "m", OPENAI, base_url="http://127.0.0.1:9/v1", credential_ref=pasted,
        capabilities=frozenset({Capability.CHAT}), source="admin", create_time=now(), update_time=now(),
    )  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(models).values(to_row(legacy)))
    engine.dispose()
    monkeypatch.setenv(ADMIN_ENV, ADMIN_TOKEN)
    gateway = await gateway_factory(
        include_default_models=False, admin={"token_env": ADMIN_ENV}, registry={"database_url": url}
    )
    admin = admin_service_pb2_grpc.AdminServiceStub(gateway.channel)
    got = await admin.GetModel(pb.GetModelRequest(id="legacy/m"), metadata=AUTH, timeout=5)
    listed = await admin.ListModels(pb.ListModelsRequest(), metadata=AUTH, timeout=5)
    assert got.model.credential_ref == REDACTED and listed.models[0].credential_ref == REDACTED
    details = await failure(gateway.Chat(chat("legacy/m"), timeout=5))
    assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "MODEL_MISCONFIGURED")
    assert "looks like a key" in details.message
