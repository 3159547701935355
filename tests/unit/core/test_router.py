"""Credential references: an allowed env var name or secret file, never the secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmgateway.core.errors import Code, GatewayError, Reason
from llmgateway.core.models import Capability, Model
from llmgateway.core.ports import ProviderAdapter
from llmgateway.core.router import Router
from llmgateway.core.secrets import CredentialPolicy, scrub

MOCK = "llmgateway.providers.mock.MockAdapter"


class OneModel:
    """The smallest ModelCatalog: one model."""

    revision = "test"

    def __init__(self, model: Model) -> None:
        self.model = model

    def get(self, model_id: str) -> Model | None:
        return self.model if model_id == self.model.id else None

    def list(self) -> list[Model]:
        return [self.model]


def adapter_for(
    credential_ref: str, environ: dict[str, str] | None = None, policy: CredentialPolicy | None = None
) -> ProviderAdapter:
    """Routes `m/x` the way the inference service does: lookup, then its adapter."""
    model = Model(
        id="m/x", provider="mock", upstream_model="echo", adapter_class=MOCK, credential_ref=credential_ref
    )
    router = Router(OneModel(model), environ=environ or {}, policy=policy)
    return router.adapter(router.lookup("m/x", Capability.CHAT))


def refused(credential_ref: str, environ: dict[str, str] | None = None, **policy: object) -> GatewayError:
    with pytest.raises(GatewayError) as info:
        adapter_for(credential_ref, environ, CredentialPolicy(**policy))  # type: ignore[arg-type]
    err = info.value
    assert (err.code, err.reason) == (Code.FAILED_PRECONDITION, Reason.MODEL_MISCONFIGURED)
    return err


def test_key_from_an_environment_variable() -> None:
    adapter = adapter_for("MY_API_KEY", {"MY_API_KEY": "k-env-0123456789"})
    assert adapter.endpoint.api_key == "k-env-0123456789"  # type: ignore[attr-defined]
    assert scrub("echo: k-env-0123456789") == "echo: [REDACTED]"  # known to the scrubber from now on


def test_key_from_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("k-file\n")
    adapter = adapter_for(f"file:{secret}", policy=CredentialPolicy(secret_dirs=(str(tmp_path),)))
    assert adapter.endpoint.api_key == "k-file"  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "directory"])
def test_unusable_secret_file_names_the_path_only(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "key"
    if kind == "empty":
        secret.write_text("\n")
    elif kind == "binary":
        secret.write_bytes(b"\xff\xfe\x00")
    elif kind == "directory":
        secret.mkdir()
    err = refused(f"file:{secret}", secret_dirs=(str(tmp_path),))
    assert str(secret) in err.message


def test_a_link_out_of_the_secret_directory_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.write_text("not-for-models-0123456789")
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "key").symlink_to(outside)
    err = refused(f"file:{tmp_path}/secrets/key", secret_dirs=(f"{tmp_path}/secrets",))
    assert "outside the allowed directories" in err.message


def test_unset_environment_variable() -> None:
    err = refused("NOT_SET_ANYWHERE_API_KEY")
    assert "NOT_SET_ANYWHERE_API_KEY" in err.message


def test_the_gateways_own_secrets_are_never_resolved() -> None:
    environ = {"LLMGATEWAY_ADMIN_TOKEN": "admin-0123456789", "TEAM_TOKEN": "team-0123456789"}
    for ref in ("LLMGATEWAY_ADMIN_TOKEN", "TEAM_TOKEN"):
        err = refused(ref, environ, env_patterns=("*",), reserved_env=frozenset({"TEAM_TOKEN"}))
        assert "own secrets" in err.message and "0123456789" not in err.message


def test_a_pasted_key_is_refused_and_not_repeated() -> None:
    key = "gsk_8hF2kQ9xLm3NpR7tVw1YzA4bC6dE"
    err = refused(key, {key: "whatever"}, env_patterns=("*",))
    assert key not in err.message and key not in err.metadata.values()
