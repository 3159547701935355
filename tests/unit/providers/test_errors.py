from __future__ import annotations

import email.utils
import time

import pytest

from llmgateway.core.errors import Code, Reason
from llmgateway.providers.errors import (
    CONTENT_POLICY,
    QUOTA_EXHAUSTED,
    classify_http_error,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5", "retry-after-ms": "700"}, 0.7),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "soon"}, None),
        ({}, None),
        ({"retry-after": "999999"}, 3600.0),
    ],
)
def test_parse_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


def test_retry_after_http_date() -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    delay = parse_retry_after({"retry-after": when})
    assert delay is not None and 25 <= delay <= 31


def test_auth_errors_never_carry_the_provider_message() -> None:
    err = classify_http_error("openai", 401, {}, message="Incorrect API key provided: sk-abc...WXYZ")
    assert (err.code, err.reason) == (Code.INTERNAL, Reason.PROVIDER_AUTH_FAILED)
    assert "sk-" not in err.message


def test_quota_429_is_not_retryable_and_has_no_delay() -> None:
    err = classify_http_error("openai", 429, {"retry-after": "5"}, kind=QUOTA_EXHAUSTED)
    assert err.code is Code.RESOURCE_EXHAUSTED and not err.retryable and err.retry_after is None


def test_should_retry_false_wins() -> None:
    assert not classify_http_error("anthropic", 529, {"x-should-retry": "false"}).retryable


def test_content_policy() -> None:
    err = classify_http_error("azure", 400, {}, kind=CONTENT_POLICY, message="filtered")
    assert (err.code, err.reason) == (Code.INVALID_ARGUMENT, Reason.CONTENT_POLICY_VIOLATION)
