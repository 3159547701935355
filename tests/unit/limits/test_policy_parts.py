"""The limits policy's pure parts: token estimates, checks per call, headers."""

from __future__ import annotations

import pytest

from llmgateway.core.calls import Call, Header, Principal, client_ip
from llmgateway.core.limits import Grant, Kind, Limits, Scope
from llmgateway.core.patterns import PatternMap
from llmgateway.core.types import (
    ChatRequest,
    EmbedRequest,
    GenerationConfig,
    ImagePart,
    ImageRequest,
    Message,
    Role,
    TextPart,
)
from llmgateway.limits import policy as limits_policy
from llmgateway.limits.memory import MemoryLimiter
from llmgateway.limits.policy import RateLimitPolicy, _duration, _Plan, estimate_tokens


def test_token_estimates() -> None:
    chat = ChatRequest("m", [Message(Role.USER, [TextPart("abcd" * 3), ImagePart(uri="https://x")])])
    assert estimate_tokens(chat, 1024) == (4 + 3 + 85, 1024)  # framing, 12 characters, an image
    chat.generation = GenerationConfig(max_tokens=7)
    assert estimate_tokens(chat, 1024) == (92, 7)
    assert estimate_tokens(EmbedRequest("m", ["abcde", "f"]), 1024) == (2, 0)
    assert estimate_tokens(ImageRequest("m", "a red square"), 1024) == (0, 0)


def test_checks_of_a_call() -> None:
    policy = RateLimitPolicy(
        MemoryLimiter(), Limits(requests_per_minute=5), {"mock/*": Limits(tokens_per_minute=100)}
    )
    anonymous = Call("Chat", "r", client="ipv6:[2001:db8::1]:5555")
    checks = policy._checks(anonymous, "mock/echo")
    assert [(c.scope, c.subject, c.kind, c.limit, c.counter) for c in checks] == [
        (Scope.ADDRESS, "2001:db8::1", Kind.REQUESTS, 5, "r:address:2001:db8::1"),
        (Scope.MODEL, "mock/echo", Kind.TOKENS, 100, "t:model:mock/echo"),
    ]
    keyed = Call("Chat", "r")
    keyed.principal = Principal(
        "k1", limits=Limits(concurrent_calls=2), model_limits=PatternMap([("mock/e*", Limits(7))])
    )
    checks = policy._checks(keyed, "mock/echo")
    assert [(c.scope, c.subject, c.kind) for c in checks] == [
        (Scope.KEY, "k1", Kind.CONCURRENT),
        (Scope.KEY_MODEL, "k1|mock/echo", Kind.REQUESTS),
        (Scope.MODEL, "mock/echo", Kind.TOKENS),
    ]
    assert policy._checks(keyed, "other/model")[0].kind is Kind.CONCURRENT


def test_headers_name_the_tightest_limits() -> None:
    policy = RateLimitPolicy(MemoryLimiter(), Limits(), {})
    call = Call("Chat", "r")
    call.principal = Principal("k", limits=Limits(10, 1000), model_limits=PatternMap([("m", Limits(3))]))
    plan = _Plan(call.principal, policy._checks(call, "m"))
    headers: list[Header] = []
    plan.add_headers(headers, Grant([9, 990, 2], 59.95, 0, 10))
    assert {k: v.decode() for k, v in headers if isinstance(v, bytes)} == {
        "x-ratelimit-limit-requests": "3",
        "x-ratelimit-remaining-requests": "2",
        "x-ratelimit-reset-requests": "60.0s",
        "x-ratelimit-limit-tokens": "1000",
        "x-ratelimit-remaining-tokens": "990",
        "x-ratelimit-reset-tokens": "60.0s",
    }


def test_durations_read_like_openai() -> None:
    assert [_duration(s) for s in (0.0201, 0.999, 1.5, 59.96, 61, 360)] == [
        b"21ms",
        b"999ms",
        b"1.5s",
        b"60.0s",
        b"1m1s",
        b"6m0s",
    ]


def test_client_ip_of_grpc_peers() -> None:
    assert client_ip("ipv4:10.1.2.3:5555") == "10.1.2.3"
    assert client_ip("ipv4:10.1.2.3") == "10.1.2.3"
    assert client_ip("ipv6:[::1]:80") == "::1"
    assert client_ip("unix:/tmp/s") == "unix:/tmp/s"


def test_a_plan_serves_its_pair_until_the_key_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = RateLimitPolicy(MemoryLimiter(), Limits(requests_per_minute=5), {})
    call = Call("Chat", "r")
    call.principal = Principal("k", limits=Limits(10))
    first = policy._plan(call, "m")
    assert policy._plan(call, "m") is first and policy._plan(call, "n") is not first
    call.principal = Principal("k", limits=Limits(3))  # the key changed: a new registry snapshot
    changed = policy._plan(call, "m")
    assert changed is not first and changed.checks[0].limit == 3
    monkeypatch.setattr(limits_policy, "MAX_PLANS", 4)
    for i in range(10):  # callers from many addresses keep at most MAX_PLANS plans
        anonymous = Call("Chat", "r", client=f"ipv4:10.0.0.{i}:5555")
        assert [c.subject for c in policy._plan(anonymous, "m").checks] == [f"10.0.0.{i}"]
        assert len(policy._plans) <= 4
