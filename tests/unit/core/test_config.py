from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from llmgateway.config import CONFIG_FILE_ENV, Settings, load_settings
from llmgateway.registry.sources import configured_models, sync_sources


def test_defaults_serve_mock_models_and_keyed_providers() -> None:
    ids = {m.id for m in sync_sources(Settings(), environ={})}
    assert ids == {"mock/echo", "mock/embed", "mock/image", "mock/transcribe", "mock/speech"}
    keyed = {
        m.id for m in sync_sources(Settings(), environ={"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"})
    }
    assert any(i.startswith("openai/") for i in keyed) and any(i.startswith("anthropic/") for i in keyed)


def test_yaml_file_with_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "gw.yaml"
    config.write_text(
        "server:\n  address: 0.0.0.0:6000\n  grace_period_s: 3\n"
        "include_default_models: false\n"
        "models:\n"
        "  - id: local/llama\n    provider: openai\n    upstream_model: llama3\n"
        "    base_url: http://127.0.0.1:11434/v1\n    capabilities: [chat, stream]\n"
        "    timeouts: {first_token: 5}\n"
    )
    monkeypatch.setenv(CONFIG_FILE_ENV, "")
    monkeypatch.setenv("LLMGATEWAY_SERVER__ADDRESS", "127.0.0.1:7000")
    settings = load_settings(str(config))
    assert settings.server.address == "127.0.0.1:7000"  # env beats the file
    assert settings.server.grace_period_s == 3
    (model,) = sync_sources(settings, environ={})
    assert model.adapter_class == "llmgateway.providers.openai.OpenAIAdapter"
    assert model.credential_ref == ""  # its own base URL: no default key
    timeouts = model.timeouts.resolve(settings.default_timeouts)
    assert timeouts.first_token == 5 and timeouts.total == 600


def test_unknown_provider_without_adapter_class_is_refused() -> None:
    settings = Settings(
        include_default_models=False, models=[{"id": "a/b", "provider": "zzz", "upstream_model": "m"}]
    )
    with pytest.raises(ValueError, match="no built-in adapter"):
        configured_models(settings)


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ValidationError):
        Settings(servr={"address": "x"})  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("base_url", "credential_ref", "expected"),
    [
        ("", "", "OPENAI_API_KEY"),  # the provider's default endpoint gets its default key
        ("https://api.openai.com/v1/", "", "OPENAI_API_KEY"),
        ("http://127.0.0.1:11434/v1", "", ""),  # its own endpoint: exactly what it names, or none
        ("http://127.0.0.1:11434/v1", "LOCAL_API_KEY", "LOCAL_API_KEY"),
        ("http://127.0.0.1:11434/v1", "OPENAI_API_KEY", "OPENAI_API_KEY"),
    ],
)
def test_the_default_key_goes_to_the_default_endpoint_only(
    base_url: str, credential_ref: str, expected: str
) -> None:
    upstream = {"provider": "openai", "upstream_model": "m", "base_url": base_url}
    upstream["credential_ref"] = credential_ref
    model = {"id": "a/b", **upstream, "deployments": [{"id": "eu", **upstream}]}
    (config,) = configured_models(Settings(include_default_models=False, models=[model]))
    assert config.credential_ref == expected
    assert config.deployments[0].credential_ref == expected  # the same rule for every deployment


def test_azure_has_no_default_endpoint_so_no_default_key() -> None:
    model = {
        "id": "az/m",
        "provider": "azure",
        "upstream_model": "d",
        "base_url": "https://x.openai.azure.com",
    }
    (config,) = configured_models(Settings(include_default_models=False, models=[model]))
    assert config.credential_ref == ""


def test_credential_policy_reserves_the_admin_token(tmp_path: Path) -> None:
    token_file = tmp_path / "admin-token"
    policy = Settings(
        admin={"token_env": "TEAM_API_KEY", "token_file": str(token_file)},
        secrets={"allowed_env": ["*_API_KEY"], "allowed_dirs": [str(tmp_path)]},
    ).credential_policy()
    assert "own secrets" in policy.problem("TEAM_API_KEY")
    assert "own secrets" in policy.problem(f"file:{token_file}")
    assert policy.problem("OTHER_API_KEY") == "" and policy.problem(f"file:{tmp_path}/key") == ""


def test_secret_directories_must_be_absolute() -> None:
    with pytest.raises(ValidationError):
        Settings(secrets={"allowed_dirs": ["run/secrets"]})


@pytest.mark.parametrize(
    ("address", "host_port"),
    [
        ("127.0.0.1:9464", ("127.0.0.1", 9464)),
        ("[::1]:0", ("::1", 0)),
        ("metrics.local:80", ("metrics.local", 80)),
    ],
)
def test_metrics_address_is_host_and_port(address: str, host_port: tuple[str, int]) -> None:
    assert Settings(metrics={"address": address}).metrics.host_port() == host_port


@pytest.mark.parametrize(
    "address", ["9464", ":9464", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:65536", "[]:1"]
)
def test_a_malformed_metrics_address_is_refused(address: str) -> None:
    with pytest.raises(ValidationError, match=r"metrics\.address"):
        Settings(metrics={"address": address})


ENTRY = {"id": "a/b", "provider": "mock", "upstream_model": "echo"}


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"timeouts": {"first_token_s": 5}}, "timeouts.first_token_s"),  # one name per field: `first_token`
        ({"enabled": False}, "enabled"),  # `is_available`
        ({"retry": {"initial_backoff_s": 1}}, "retry.initial_backoff_s"),
        ({"source": "admin"}, "source is maintained by the registry"),
        ({"revision": 3, "create_time": "2026-01-01T00:00:00Z"}, "create_time, revision is maintained"),
    ],
)
def test_model_entries_refuse_unknown_and_registry_fields(given: dict[str, object], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        Settings(models=[ENTRY | given])


def test_a_model_id_is_configured_once() -> None:
    with pytest.raises(ValueError, match=r"models\[1\] \(a/b\): the id is already used"):
        configured_models(Settings(models=[ENTRY, ENTRY]))
