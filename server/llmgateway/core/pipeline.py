"""The one seam for governance: policies that admit and settle every call, and
observers that watch it.

`InferenceService` runs Chat, StreamChat, Embed, GenerateImage, Transcribe and
SynthesizeSpeech through the same steps: `admit` of each policy in order (before
routing), then a ready answer or the upstream call, then `settle` of every
admitted policy in reverse order, always (success, failure or cancellation;
a policy with nothing to settle says `settles = False`). With no policy
configured the service skips all of it. A chat stream is folded into a result
once, by the core, and only when a policy asks for it
(`wants_result`, or `call.fold` for one call): a stream nobody watches pays
nothing per delta.

Observers (logs, metrics, spans, user callbacks) see the call start, each
upstream attempt end, the first answer event and the call end. They must not
change the call and must not block; an observer that raises is logged and the
call goes on.

Policies and observers are named in configuration: built-in ones by name, user
ones by dotted path (`package.module.Factory`, called with the `Components`
context and the entry's options), the way a model names its `adapter_class`.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from llmgateway.core.calls import AttemptRecord, Call
from llmgateway.core.errors import GatewayError
from llmgateway.core.types import (
    ChatRequest,
    ChatResult,
    EmbedRequest,
    EmbedResult,
    ImageRequest,
    ImageResult,
    SpeechRequest,
    TranscribeRequest,
    TranscribeResult,
)

log = logging.getLogger(__name__)

Request = ChatRequest | EmbedRequest | ImageRequest | TranscribeRequest | SpeechRequest
# A synthesized speech stream has no folded result (its outcome says only whether it completed).
Result = ChatResult | EmbedResult | ImageResult | TranscribeResult


@dataclass(frozen=True, slots=True)
class Admit:
    """What a policy's `admit` decided, when it does more than let the call through
    (returning None). `request` replaces the request (same type: a virtual model
    resolved, a system prompt and history added); `answer` ends admission with a
    ready answer (a cache hit): no upstream call is made, a stream replays it. Answers
    are read-only everywhere (the hits of one cache entry share theirs)."""

    request: Request | None = None
    answer: Result | None = None


class Outcome(NamedTuple):
    """How the call ended, for `settle` (a NamedTuple: one is made for every governed
    call, at half a frozen dataclass's cost). `result` is the answer (for a stream, the
    folded events, present only when a policy `wants_result` or set `call.fold`; `complete` is False
    when the stream stopped before its end event). `error` is the failure;
    `cancelled` means the caller went away or the server stopped. Usage so far is
    `call.usage`."""

    result: Result | None = None
    complete: bool = False
    error: GatewayError | None = None
    cancelled: bool = False


class Policy(Protocol):
    """`admit` runs in order before routing: it may raise a GatewayError (RATE_LIMITED,
    BUDGET_EXCEEDED, PERMISSION_DENIED), rewrite the request or return a ready answer.
    `settle` runs, in reverse order, for every policy whose `admit` returned, when the
    call ends. `wants_result`: ask the core to fold every stream for `settle`; a
    policy that needs the answer of some calls only sets `call.fold` in their `admit`.
    A policy may also say `settles = False`: it has nothing to settle, and its `settle`
    is never called (one coroutine less per call).

    Either may be a plain function when it has nothing to wait for, or only sometimes
    (an in-process limiter): `admit` then returns its decision, `settle` None, and an
    awaitable of them when it must wait (no coroutine per call when it need not)."""

    wants_result: bool

    def admit(self, call: Call, request: Request) -> Admit | Awaitable[Admit | None] | None: ...

    def settle(self, call: Call, outcome: Outcome) -> Awaitable[None] | None: ...


class Observer(Protocol):
    """Any subset of these hooks; missing ones are skipped."""

    def call_started(self, call: Call) -> None: ...

    def attempt_ended(self, call: Call, attempt: AttemptRecord) -> None: ...

    def first_event(self, call: Call) -> None: ...

    def call_ended(self, call: Call) -> None: ...


_HOOKS = ("call_started", "attempt_ended", "first_event", "call_ended")


class Observers:
    """Fans each hook out to the observers that implement it (bound methods
    collected once), isolating the call from an observer's failure."""

    __slots__ = ("_attempt_ended", "_call_ended", "_call_started", "_first_event", "all")

    def __init__(self, observers: Sequence[object] = ()) -> None:
        self.all = tuple(observers)
        hooks: dict[str, list[Callable[..., None]]] = {name: [] for name in _HOOKS}
        for observer in self.all:
            for name in _HOOKS:
                method = getattr(observer, name, None)
                if callable(method):
                    hooks[name].append(method)
        self._call_started = tuple(hooks["call_started"])
        self._attempt_ended = tuple(hooks["attempt_ended"])
        self._first_event = tuple(hooks["first_event"])
        self._call_ended = tuple(hooks["call_ended"])

    def call_started(self, call: Call) -> None:
        for hook in self._call_started:
            _safely(hook, call)

    def attempt_ended(self, call: Call, attempt: AttemptRecord) -> None:
        for hook in self._attempt_ended:
            _safely(hook, call, attempt)

    def first_event(self, call: Call) -> None:
        for hook in self._first_event:
            _safely(hook, call)

    def call_ended(self, call: Call) -> None:
        for hook in self._call_ended:
            _safely(hook, call)


def _safely(hook: Callable[..., None], *args: Any) -> None:
    try:
        hook(*args)
    except Exception:
        log.exception("observer %s failed", getattr(hook, "__qualname__", hook))


class Pipeline:
    """The configured policies, in order, and the observers."""

    def __init__(self, policies: Sequence[Policy] = (), observers: Observers | None = None) -> None:
        self.policies = tuple(policies)
        # For each number of admitted policies, the ones to settle, in reverse order.
        self._settling = tuple(
            tuple(p for p in reversed(self.policies[:admitted]) if getattr(p, "settles", True))
            for admitted in range(len(self.policies) + 1)
        )
        self.wants_result = any(p.wants_result for p in self.policies)
        self.observers = observers if observers is not None else Observers()

    async def admit(self, call: Call, request: Request) -> tuple[int, Request, Result | None]:
        """Runs `admit` in order. Returns how many policies were admitted (they are the
        ones to settle), the request as rewritten, and a ready answer or None. When a
        policy refuses, the ones admitted before it are settled with its error."""
        for i, policy in enumerate(self.policies):
            try:
                decision = policy.admit(call, request)
                if decision is not None and not isinstance(decision, Admit):
                    decision = await decision
            except GatewayError as exc:
                await self.settle(call, i, Outcome(error=exc))
                raise
            except BaseException:
                await self.settle(call, i, Outcome(cancelled=True))
                raise
            if decision is None:
                continue
            if decision.request is not None:
                request = decision.request
                call.wire_request = b""  # the request is no longer the one received
            if decision.answer is not None:
                return i + 1, request, decision.answer
        return len(self.policies), request, None

    def settle(self, call: Call, admitted: int, outcome: Outcome) -> Awaitable[None]:
        """`settle` of the first `admitted` policies in reverse order; a failing settle is
        logged. A cancelled call settles shielded (a task of its own), so a second
        cancellation cannot cut it short; the others need no task (and no coroutine of
        their own: the caller awaits `_settle`'s)."""
        settling = self._settle(call, admitted, outcome)
        return asyncio.shield(settling) if outcome.cancelled else settling

    async def _settle(self, call: Call, admitted: int, outcome: Outcome) -> None:
        for policy in self._settling[admitted]:
            try:
                settling = policy.settle(call, outcome)
                if settling is not None:
                    await settling
            except Exception:
                log.exception("policy %s failed to settle request %s", type(policy).__name__, call.request_id)


# -- loading from configuration -------------------------------------------------------
Factory = Callable[..., Any]


def load_factory(spec: str, builtins: Mapping[str, Factory]) -> Factory:
    """A built-in factory by name, else `package.module.Name` imported."""
    factory = builtins.get(spec)
    if factory is not None:
        return factory
    module_name, _, attr = spec.rpartition(".")
    if not module_name:
        known = ", ".join(sorted(builtins))
        raise ValueError(f"{spec!r} is neither a built-in ({known}) nor a dotted path")
    try:
        loaded: Factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"{spec!r} cannot be imported: {exc}") from None
    return loaded


def build_components(
    specs: Sequence[tuple[str, Mapping[str, Any]]], builtins: Mapping[str, Factory], context: object
) -> list[Any]:
    """Each (name or dotted path, options) built as `factory(context, **options)`.
    A built-in factory may return None (not configured): it is left out."""
    built = []
    for spec, options in specs:
        component = load_factory(spec, builtins)(context, **options)
        if component is not None:
            built.append(component)
    return built
