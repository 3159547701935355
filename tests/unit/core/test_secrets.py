"""The credential policy, key detection and the scrubber (core/secrets.py), and the
places that scrub with it: upstream errors, errors at the edge, log lines."""

from __future__ import annotations

import json
import logging
import random
import string
import sys
from urllib.parse import quote

import pytest

from llmgateway.api.status import public_error
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.secrets import (
    REDACTED,
    SCRUBBER,
    CredentialPolicy,
    Scrubber,
    default_credential,
    entropy,
    looks_like_key,
)
from llmgateway.providers.errors import classify_http_error
from llmgateway.telemetry.logs import JsonFormatter, TextFormatter

_rand = random.Random(9)


def _token(alphabet: str, n: int) -> str:
    return "".join(_rand.choice(alphabet) for _ in range(n))


B62 = string.ascii_letters + string.digits
PASTED_KEYS = [
    "sk-proj-" + _token(B62 + "-_", 48),
    "sk-ant-api03-" + _token(B62 + "-_", 60),
    "sk-" + _token(B62, 48),
    "AIzaSy" + _token(B62 + "-_", 33),
    "gsk_" + _token(B62, 52),
    "xai-" + _token(B62, 80),
    "hf_" + _token(B62, 34),
    "ghp_" + _token(B62, 36),
    "llmgw_0123456789ab_" + _token(B62 + "-_", 43),  # one of this gateway's own API keys
    "github_pat_" + _token(B62 + "_", 70),
    "AKIAIOSFODNN7EXAMPLE",
    "Bearer " + _token(B62, 40),
    "eyJhbGciOiJIUzI1NiJ9." + _token(B62, 40),
    _token(B62, 32),  # no known prefix: random mixed case and digits
    _token(string.hexdigits.lower()[:16], 40),  # a hex token
    _token(B62, 20),
]
NAMES = [
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "MY_COMPANY_PRODUCTION_OPENAI_API_KEY_EU_WEST_1",
    "TEAM42_ANTHROPIC_API_KEY_V2",
    "OPENROUTERAPIKEY2024",
    "openrouter_api_key_production",
    "HF_TOKEN",
    "hf_token_for_production_use",
    "GROQ_API_KEY",
    "file:/run/secrets/openai-key",
    "file:/var/run/secrets/kubernetes.io/team-a/anthropic_api_key",
]


@pytest.mark.parametrize("key", PASTED_KEYS)
def test_pasted_keys_look_like_keys(key: str) -> None:
    assert looks_like_key(key)


@pytest.mark.parametrize("name", NAMES)
def test_names_and_paths_do_not(name: str) -> None:
    assert not looks_like_key(name)


def test_entropy() -> None:
    assert entropy("") == 0.0 and entropy("aaaa") == 0.0
    assert entropy("abcd") == pytest.approx(2.0)


POLICY = CredentialPolicy(
    reserved_env=frozenset({"ADMIN_TOKEN_VAR"}), reserved_files=frozenset({"/run/secrets/admin"})
)


@pytest.mark.parametrize(
    ("ref", "problem"),
    [
        ("OPENAI_API_KEY", ""),
        ("TEAM_A_API_KEY", ""),
        ("file:/run/secrets/openai-key", ""),
        ("file:/var/run/secrets/team/key", ""),
        ("HOME", "secrets.allowed_env"),
        ("OPENAI_API_KEY_2", "secrets.allowed_env"),
        ("LLMGATEWAY_ADMIN_TOKEN", "own secrets"),
        ("LLMGATEWAY_REGISTRY__DATABASE_URL", "own secrets"),
        ("ADMIN_TOKEN_VAR", "own secrets"),
        ("file:/run/secrets/admin", "own secrets"),
        ("file:/etc/passwd", "secrets.allowed_dirs"),
        ("file:/run/secretsX/key", "secrets.allowed_dirs"),
        ("file:/run/secrets/../../etc/passwd", "normalized"),
        ("file:/run/secrets//key", "normalized"),
        ("file:run/secrets/key", "absolute"),
        ("two words", "NAME of an environment variable"),
        ("A" * 190 + "_API_KEY" + "B" * 10, "at most 200"),
        *[(key, "looks like a key") for key in PASTED_KEYS],
    ],
)
def test_the_policy(ref: str, problem: str) -> None:
    found = POLICY.problem(ref)
    assert (problem in found) if problem else found == ""
    assert ref not in found


def test_the_policy_is_configurable() -> None:
    policy = CredentialPolicy(env_patterns=("TEAM_*",), secret_dirs=("/srv/keys",))
    assert policy.problem("TEAM_OPENAI") == "" and policy.problem("file:/srv/keys/a") == ""
    assert policy.problem("OPENAI_API_KEY") and policy.problem("file:/run/secrets/a")
    nothing = CredentialPolicy(env_patterns=(), secret_dirs=())
    assert "none" in nothing.problem("OPENAI_API_KEY") and "none" in nothing.problem("file:/run/secrets/a")


def test_default_credential() -> None:
    url = "https://api.openai.com/v1"
    assert default_credential("OPENAI_API_KEY", url, "") == "OPENAI_API_KEY"
    assert default_credential("OPENAI_API_KEY", url, url + "/") == "OPENAI_API_KEY"
    assert default_credential("OPENAI_API_KEY", url, "http://127.0.0.1:8000/v1") == ""
    assert default_credential("AZURE_OPENAI_API_KEY", "", "https://x.openai.azure.com") == ""
    assert default_credential("", "", "") == ""


SECRET = "sk-test-" + _token(B62, 32)


@pytest.fixture
def scrubber() -> Scrubber:
    s = Scrubber()
    s.add(SECRET)
    return s


@pytest.mark.parametrize(
    "echo",
    [
        f"Incorrect API key provided: {SECRET}.",
        f"Authorization: Bearer {SECRET}",
        f'{{"key": {json.dumps(SECRET)}}}',
        f"https://upstream/?key={quote(SECRET, safe='')}",
        f"key {SECRET[:20]}... was truncated",  # an echo of the first 20 characters
        f"{SECRET}{SECRET} twice",
    ],
)
def test_the_scrubber_replaces_every_echo(scrubber: Scrubber, echo: str) -> None:
    scrubbed = scrubber.scrub(echo)
    assert SECRET[:16] not in scrubbed and REDACTED in scrubbed


def test_the_scrubber_keeps_other_text(scrubber: Scrubber) -> None:
    masked = f"Incorrect API key provided: {SECRET[:4]}************{SECRET[-4:]}"
    assert scrubber.scrub(masked) == masked  # masked forms are fine
    assert scrubber.scrub("") == "" and scrubber.scrub("nothing here") == "nothing here"
    assert scrubber.scrub(f"{SECRET} and {SECRET[:8]}") == f"{REDACTED} and {SECRET[:8]}"


def test_special_characters_and_short_values() -> None:
    s = Scrubber()
    secret = 'p@ss/word"with\\odd+chars=='
    s.add(secret)
    s.add("short")  # too short to tell from ordinary text: not scrubbed
    for echo in (secret, json.dumps(secret)[1:-1], quote(secret, safe="")):
        assert s.scrub(f"<{echo}>") == f"<{REDACTED}>"
    assert s.scrub("a short text") == "a short text"


def test_upstream_error_text_is_scrubbed_before_it_is_cut() -> None:
    SCRUBBER.add(SECRET)
    message = "x" * 490 + f" {SECRET}"  # the message limit (500) falls inside the key
    err = classify_http_error("openai", 400, {}, error_type=f"bad_{SECRET}", message=message)
    assert SECRET[:9] not in err.message and SECRET not in err.metadata["provider_error_type"]
    err = classify_http_error("openai", 500, {}, message=f"upstream saw {SECRET}")
    assert err.message == f"openai is unavailable: upstream saw {REDACTED}"


def test_errors_are_scrubbed_at_the_edge() -> None:
    SCRUBBER.add(SECRET)
    err = GatewayError(
        Reason.INVALID_REQUEST,
        f"bad {SECRET}",
        metadata={"echo": SECRET},
        field_violations=[("model.credential_ref", f"got {SECRET}")],
    )
    public = public_error(err)
    assert SECRET not in repr((public.message, public.metadata, public.field_violations))


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()])
def test_log_lines_are_scrubbed(formatter: logging.Formatter) -> None:
    SCRUBBER.add(SECRET)
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "saw %s", (SECRET,), None)
    record.echo = SECRET
    try:
        raise ValueError(SECRET)
    except ValueError:
        record.exc_info = sys.exc_info()
    line = formatter.format(record)
    assert SECRET not in line and REDACTED in line
