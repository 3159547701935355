"""Credential references: an env var name or a secret file, never the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.models import Capability, ModelConfig, StaticCatalog
from llmgateway.core.router import Router

MOCK = "llmgateway.providers.mock.MockAdapter"


def router_for(credential_ref: str, environ: dict[str, str] | None = None) -> Router:
    model = ModelConfig(
        id="m/x", provider="mock", upstream_model="echo", adapter_class=MOCK, credential_ref=credential_ref
    )
    return Router(StaticCatalog([model]), environ=environ or {})


def test_key_from_an_environment_variable() -> None:
    _, adapter = router_for("MY_KEY", {"MY_KEY": "k-env"}).resolve("m/x", Capability.CHAT)
    assert adapter.endpoint.api_key == "k-env"  # type: ignore[attr-defined]


def test_key_from_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("k-file\n")
    _, adapter = router_for(f"file:{secret}").resolve("m/x", Capability.CHAT)
    assert adapter.endpoint.api_key == "k-file"  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_unusable_secret_file_names_the_path_only(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "key"
    if kind == "empty":
        secret.write_text("\n")
    with pytest.raises(GatewayError) as info:
        router_for(f"file:{secret}").resolve("m/x", Capability.CHAT)
    err = info.value
    assert (err.code, err.reason) == (Code.FAILED_PRECONDITION, Reason.PROVIDER_AUTH_FAILED)
    assert str(secret) in err.message


def test_unset_environment_variable() -> None:
    with pytest.raises(GatewayError) as info:
        router_for("NOT_SET_ANYWHERE").resolve("m/x", Capability.CHAT)
    assert "NOT_SET_ANYWHERE" in info.value.message
