"""Credential references: an env var name or a secret file, never the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.models import Capability, ModelConfig
from llmgateway.core.ports import ProviderAdapter
from llmgateway.core.router import Router

MOCK = "llmgateway.providers.mock.MockAdapter"


class OneModel:
    """The smallest ModelCatalog: one model."""

    revision = "test"

    def __init__(self, model: ModelConfig) -> None:
        self.model = model

    def get(self, model_id: str) -> ModelConfig | None:
        return self.model if model_id == self.model.id else None

    def list(self) -> list[ModelConfig]:
        return [self.model]


def adapter_for(credential_ref: str, environ: dict[str, str] | None = None) -> ProviderAdapter:
    """Routes `m/x` the way the inference service does: lookup, then its adapter."""
    model = ModelConfig(
        id="m/x", provider="mock", upstream_model="echo", adapter_class=MOCK, credential_ref=credential_ref
    )
    router = Router(OneModel(model), environ=environ or {})
    return router.adapter(router.lookup("m/x", Capability.CHAT))


def test_key_from_an_environment_variable() -> None:
    adapter = adapter_for("MY_KEY", {"MY_KEY": "k-env"})
    assert adapter.endpoint.api_key == "k-env"  # type: ignore[attr-defined]


def test_key_from_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("k-file\n")
    adapter = adapter_for(f"file:{secret}")
    assert adapter.endpoint.api_key == "k-file"  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_unusable_secret_file_names_the_path_only(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "key"
    if kind == "empty":
        secret.write_text("\n")
    with pytest.raises(GatewayError) as info:
        adapter_for(f"file:{secret}")
    err = info.value
    assert (err.code, err.reason) == (Code.FAILED_PRECONDITION, Reason.MODEL_MISCONFIGURED)
    assert str(secret) in err.message


def test_unset_environment_variable() -> None:
    with pytest.raises(GatewayError) as info:
        adapter_for("NOT_SET_ANYWHERE")
    assert "NOT_SET_ANYWHERE" in info.value.message
