"""The `limits` policy: requests, tokens and calls in flight per API key (or per
client address for calls without one), per model over every caller, and per key
x model. All the limits of a call are checked and reserved at once at admit (one
limiter round trip); settle corrects the token reservation to the real usage and
returns the call's leases (a second one, only when there is something to settle).

Admitted calls carry the OpenAI-style `x-ratelimit-*` headers of the tightest
request and token limits that applied; refused ones get RESOURCE_EXHAUSTED /
RATE_LIMITED with a QuotaFailure (which limit, which subject) and a RetryInfo."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping

from llmgateway.core.calls import Call, Header, client_ip
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.estimate import prompt_tokens, text_tokens
from llmgateway.core.limits import (
    Check,
    Grant,
    Kind,
    Limiter,
    LimiterUnavailable,
    Limits,
    Refusal,
    Scope,
)
from llmgateway.core.patterns import PatternMap
from llmgateway.core.pipeline import Outcome, Request
from llmgateway.core.types import ChatRequest, EmbedRequest

_REQUESTS, _TOKENS = Kind.REQUESTS, Kind.TOKENS
_DECIDED = (Grant, Refusal)  # what an in-process limiter answers at once


MAX_PLANS = 4096  # (subject, model) pairs whose checks are kept; all forgotten when full


class _Plan:
    """The checks of one subject (a key, else an address) on one model, built once for
    every call of that pair; and which of them the rate-limit headers can name."""

    __slots__ = ("checks", "headers", "owner", "settling")

    def __init__(self, owner: object, checks: tuple[Check, ...]) -> None:
        self.owner = owner  # the principal it was built for: a changed key builds anew
        self.checks = checks
        # What settle gives back or corrects: calls in flight and tokens (not requests).
        self.settling = tuple(c for c in checks if c.kind is not _REQUESTS)
        # Per header kind: its remaining and reset names, and the checks it may name,
        # each with its `x-ratelimit-limit-*` header (the same on every call).
        self.headers = tuple(
            (names[1], names[2], picks)
            for kind, names in _HEADERS.items()
            if (picks := _picks(checks, kind, names[0]))
        )

    def add_headers(self, out: list[Header], grant: Grant) -> None:
        """The tightest request limit and the tightest token limit that applied."""
        remaining = grant.remaining
        reset = _duration(grant.reset_s)
        for remaining_name, reset_name, picks in self.headers:
            i, limit = picks[0] if len(picks) == 1 else min(picks, key=lambda pick: remaining[pick[0]])
            out += (limit, (remaining_name, b"%d" % remaining[i]), (reset_name, reset))


class RateLimitPolicy:
    wants_result = False

    def __init__(
        self,
        limiter: Limiter,
        per_address: Limits,
        per_model: Mapping[str, Limits],
        *,
        fail_open: bool = True,
        default_completion_tokens: int = 1024,
        concurrency_retry_after_s: float = 1.0,
        on_unchecked: Callable[[str], None] | None = None,
    ) -> None:
        self.limiter = limiter
        self.per_address = per_address
        self.per_model: PatternMap[Limits] = PatternMap(per_model.items())
        self.fail_open = fail_open
        self.default_completion_tokens = default_completion_tokens
        self.concurrency_retry_after_s = concurrency_retry_after_s
        # Told "fail_open"/"fail_closed" for each call decided without the limiter (metrics).
        self.on_unchecked = on_unchecked
        self._plans: dict[tuple[str, str], _Plan] = {}
        # By id(call), of the calls that settle: the plan, the grant and the prompt's
        # estimate (for a call that ends without reported usage).
        self._tickets: dict[int, tuple[_Plan, Grant, int]] = {}

    def admit(self, call: Call, request: Request) -> Awaitable[None] | None:
        """Decided at once by an in-process limiter; else an awaitable of the decision."""
        plan = self._plan(call, request.model)
        if not plan.checks:
            return None
        prompt, completion = estimate_tokens(request, self.default_completion_tokens)
        decision = self.limiter.acquire(plan.checks, prompt + completion, call.deadline)
        if isinstance(decision, _DECIDED):
            self._decided(call, plan, decision, prompt)
            return None
        return self._admit_when_decided(call, plan, decision, prompt)

    async def _admit_when_decided(
        self, call: Call, plan: _Plan, pending: Awaitable[Grant | Refusal], prompt: int
    ) -> None:
        try:
            decision = await pending
        except LimiterUnavailable:
            if self.on_unchecked is not None:
                self.on_unchecked("fail_open" if self.fail_open else "fail_closed")
            if self.fail_open:
                return
            raise GatewayError(
                Reason.LIMITS_UNAVAILABLE,
                "the gateway cannot check rate limits right now and refuses calls until it can",
                retry_after=self.concurrency_retry_after_s,
            ) from None
        self._decided(call, plan, decision, prompt)

    def _decided(self, call: Call, plan: _Plan, decision: Grant | Refusal, prompt: int) -> None:
        if isinstance(decision, Refusal):
            raise self._refused(call, plan.checks[decision.failed], decision.retry_after_s)
        if plan.settling:
            self._tickets[id(call)] = (plan, decision, prompt)
        if plan.headers:
            plan.add_headers(call.response_metadata, decision)

    def settle(self, call: Call, outcome: Outcome) -> Awaitable[None] | None:
        ticket = self._tickets.pop(id(call), None)
        if ticket is None:
            return None
        plan, grant, prompt = ticket
        usage = call.usage
        if usage is not None:
            used = usage.total_tokens
        elif call.first_event_at is not None:
            used = prompt + call.events  # a stream cut short: about a token per delta
        else:
            used = 0  # nothing was answered
        released = self.limiter.release(plan.settling, grant, used)
        return None if released is None else _unless_unavailable(released)

    def _plan(self, call: Call, model: str) -> _Plan:
        principal = call.principal
        if principal is not None:
            subject = principal.key_id
        else:
            subject = client_ip(call.client) if self.per_address else ""
        plan = self._plans.get((subject, model))
        if plan is None or plan.owner is not principal:
            if len(self._plans) >= MAX_PLANS:
                self._plans.clear()
            plan = self._plans[subject, model] = _Plan(principal, self._checks(call, model))
        return plan

    def _checks(self, call: Call, model: str) -> tuple[Check, ...]:
        checks: list[Check] = []
        principal = call.principal
        if principal is not None:
            _add(checks, Scope.KEY, principal.key_id, principal.limits)
            limits = principal.model_limits.get(model)
            if limits:
                _add(checks, Scope.KEY_MODEL, f"{principal.key_id}|{model}", limits)
        elif self.per_address:
            _add(checks, Scope.ADDRESS, client_ip(call.client), self.per_address)
        limits = self.per_model.get(model)
        if limits:
            _add(checks, Scope.MODEL, model, limits)
        return tuple(checks)

    def _refused(self, call: Call, check: Check, retry_after: float | None) -> GatewayError:
        what = _WHAT[check.kind].format(check.limit)
        whose = _WHOSE[check.scope]
        subject = "address" if check.scope is Scope.ADDRESS else f"{check.scope.value}:{check.subject}"
        if check.kind is Kind.CONCURRENT:
            retry_after = self.concurrency_retry_after_s
        elif retry_after is not None:
            names = _HEADERS[check.kind]
            call.response_metadata += [
                (names[0], b"%d" % check.limit),
                (names[1], b"0"),
                (names[2], _duration(retry_after)),
            ]
        when = f"; retry in {retry_after:.1f} s" if retry_after is not None else ""
        return GatewayError(
            Reason.RATE_LIMITED,
            f"rate limit reached: {what} for {whose}{when}",
            metadata={"limit": check.kind.value, "subject": check.scope.value},
            quota_violations=[(subject, what)],
            retry_after=retry_after,
        )


_WHAT = {
    Kind.REQUESTS: "{} requests per minute",
    Kind.TOKENS: "{} tokens per minute",
    Kind.CONCURRENT: "{} calls in flight",
}
_WHOSE = {
    Scope.KEY: "this API key",
    Scope.ADDRESS: "this client address",
    Scope.MODEL: "this model",
    Scope.KEY_MODEL: "this API key on this model",
}
# Their values are formatted as bytes (`Header`).
_HEADERS = {
    Kind.REQUESTS: (
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
    ),
    Kind.TOKENS: ("x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"),
}


async def _unless_unavailable(released: Awaitable[None]) -> None:
    try:  # noqa: SIM105 (not contextlib.suppress: a context manager per call)
        await released
    except LimiterUnavailable:
        pass  # leases expire with the call's deadline; the store logs the outage


def _picks(checks: tuple[Check, ...], kind: Kind, limit_name: str) -> tuple[tuple[int, Header], ...]:
    """The positions of `kind`'s checks, each with its `x-ratelimit-limit-*` header."""
    return tuple((i, (limit_name, b"%d" % c.limit)) for i, c in enumerate(checks) if c.kind is kind)


def _add(checks: list[Check], scope: Scope, subject: str, limits: Limits) -> None:
    if limits.requests_per_minute:
        checks.append(Check.of(scope, subject, Kind.REQUESTS, limits.requests_per_minute))
    if limits.tokens_per_minute:
        checks.append(Check.of(scope, subject, Kind.TOKENS, limits.tokens_per_minute))
    if limits.concurrent_calls:
        checks.append(Check.of(scope, subject, Kind.CONCURRENT, limits.concurrent_calls))


def _duration(seconds: float) -> bytes:
    """OpenAI's form: `20ms`, `1.5s`, `1m0s`."""
    if seconds < 1:
        return b"%dms" % max(0, math.ceil(seconds * 1000))
    if seconds < 60:
        return _TENTHS[round(seconds * 10)]
    return b"%dm%ds" % divmod(int(seconds), 60)


# Every reset of 1.0 to 60.0 s, formatted once (a window's reset, on every call, is one).
_TENTHS = [b"%d.%ds" % divmod(tenths, 10) for tenths in range(601)]


def estimate_tokens(request: Request, default_completion: int) -> tuple[int, int]:
    """(prompt, completion) tokens to reserve before the provider counts them: the
    gateway's one estimate of the prompt (core/estimate.py), and `max_tokens` or the
    configured default."""
    if isinstance(request, ChatRequest):
        max_tokens = request.generation.max_tokens
        return prompt_tokens(request), default_completion if max_tokens is None else max_tokens
    if isinstance(request, EmbedRequest):
        return text_tokens(sum(len(text) for text in request.inputs)), 0
    return 0, 0
