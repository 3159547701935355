"""Virtual models and sessions as a policy of the pipeline (after keys and limits,
before budgets, which price the real model and the history, and the cache): a call that
names a virtual model is rewritten at `admit` into a call of the real model, and its
conversation is kept at `settle`.

`admit`: the system prompt rendered from its template, the generation defaults applied
(locked fields always), the session's history inserted between them and the caller's
messages (trimmed to fit, see `sessions.history`), and the target picked by the rules
(through other virtual models, when a target is one). The rewritten request names the
target, whose deployments, retries and fallbacks then apply; `call.route` records
the virtual model, the rule and the target for the edge, logs, metrics and traces.

Sessions (virtual models with memory): a call without `session_id` starts one, a call
with one continues it. Either takes the session's lease in the same store round trip
that reads the history, so the calls of one session run one at a time: the next waits
(woken at once by a call of this replica, else polling) within its deadline, then
fails with SESSION_BUSY. `settle` appends the caller's new messages and the complete
answer and releases the lease in one more round trip; a failed, truncated (a stream
cut short, or an answer stopped at max_tokens) or cancelled call only releases it.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from llmgateway.config import SessionsSettings
from llmgateway.core.calls import NO_TAGS, Call, VirtualRoute
from llmgateway.core.errors import invalid_request, session_busy, session_not_found, sessions_unavailable
from llmgateway.core.estimate import message_tokens
from llmgateway.core.models import ModelCatalog
from llmgateway.core.pipeline import Admit, Outcome, Request
from llmgateway.core.ports import OpenedSession, SessionLeased, SessionStore, SessionsUnavailable
from llmgateway.core.router import chat_needs, check_available
from llmgateway.core.types import ChatRequest, ChatResult, FinishReason, ImagePart, Message, Role, TextPart
from llmgateway.core.virtual import Memory
from llmgateway.sessions import codec
from llmgateway.sessions.history import cut, history_budget, turn_starts
from llmgateway.sessions.resolve import CompiledVirtual, compile_virtual
from llmgateway.sessions.rules import MAX_SCAN_CHARS, UNKNOWN_TOKENS, Facts
from llmgateway.stores import settings_section, shared_redis

log = logging.getLogger(__name__)
MAX_DEPTH = 8  # virtual models routing to virtual models (loops are refused when written)
LEASE_MARGIN_S = 5.0  # a lease outlives its call's deadline by this much
BUSY_MARGIN_S = 0.05  # a waiter gives up this long before its deadline, so it can answer SESSION_BUSY
_NOT_KEPT = frozenset({Role.SYSTEM, Role.DEVELOPER})  # per-call instructions are not history


@dataclass(slots=True)
class _Ticket:
    """What `admit` leaves for `settle` of a call with memory."""

    session_id: str
    token: str  # holds the session's lease
    ttl_s: float
    memory: Memory
    sizes: list[int]  # stored bytes of each history message, oldest first
    roles: list[Role]
    new: list[Message]  # the caller's messages that join the history


class SessionPolicy:
    wants_result = False  # only calls with memory need their answer: they set `call.fold`

    def __init__(self, catalog: ModelCatalog, store: SessionStore, settings: SessionsSettings) -> None:
        self.catalog = catalog
        self.store = store
        self.settings = settings
        self._compiled: dict[str, CompiledVirtual] = {}
        self._tickets: dict[int, _Ticket] = {}  # by id(call), admit to settle
        self._waiters = _Waiters()

    async def admit(self, call: Call, request: Request) -> Admit | None:
        if not isinstance(request, ChatRequest):
            return None  # embeddings and images of a virtual model: the core refuses them
        model = self.catalog.get(request.model)
        if model is None or model.virtual is None:
            if request.session_id:
                problem = f"model {request.model!r} keeps no sessions (virtual models with memory do)"
                raise invalid_request([("session_id", problem)])
            return None
        check_available(model, chat_needs(call.method, request))
        virtual = self._compile(model)
        if not virtual.config.memory.enabled:
            return Admit(request=self._rewrite(call, virtual, request, [], request.session_id))
        call.fold = True  # the complete answer joins the history at settle
        ticket, history = await self._begin(call, virtual, request)
        try:
            rewritten = self._rewrite(call, virtual, request, history, ticket.session_id)
        except BaseException:
            await self._release(ticket)
            raise
        self._tickets[id(call)] = ticket
        return Admit(request=rewritten)

    async def settle(self, call: Call, outcome: Outcome) -> None:
        ticket = self._tickets.pop(id(call), None)
        if ticket is None:
            return
        result = outcome.result
        kept = (
            outcome.complete
            and outcome.error is None
            and not outcome.cancelled
            and isinstance(result, ChatResult)
            and result.finish_reason is not FinishReason.LENGTH
        )
        if not kept or not isinstance(result, ChatResult):
            await self._release(ticket)
            return
        encoded = [codec.encode(m) for m in (*ticket.new, codec.kept_answer(result.message))]
        append = [e for e in encoded if e is not None]
        if len(append) != len(encoded):
            log.warning("session %s: a message could not be stored; the turn is left out", ticket.session_id)
            await self._release(ticket)
            return
        sizes = [*ticket.sizes, *map(len, append)]
        roles = [*ticket.roles, *(m.role for m in ticket.new), Role.ASSISTANT]
        drop = cut(sizes, turn_starts(roles), ticket.memory.max_messages, self.settings.max_session_bytes)
        try:
            stored = await self.store.commit(ticket.session_id, ticket.token, append, drop, ticket.ttl_s)
        except SessionsUnavailable:
            log.warning("session %s: the store is unreachable; this turn is not kept", ticket.session_id)
            return
        finally:
            self._waiters.wake(ticket.session_id)
        if not stored:
            log.warning(
                "session %s: its lease ended before the answer; this turn is not kept", ticket.session_id
            )

    async def start(self) -> None:
        await self.store.start()

    async def aclose(self) -> None:
        await self.store.aclose()

    # -- sessions ----------------------------------------------------------------------
    async def _begin(
        self, call: Call, virtual: CompiledVirtual, request: ChatRequest
    ) -> tuple[_Ticket, list[Message]]:
        """Creates or opens the call's session, holding its lease; the history."""
        store = self.store
        memory = virtual.config.memory
        owner = call.principal.key_id if call.principal is not None else ""
        token = secrets.token_hex(8)
        lease_s = self._lease_s(call)
        ttl_s = memory.idle_timeout or self.settings.idle_ttl_s
        new = [m for m in request.messages if m.role not in _NOT_KEPT]
        session_id = request.session_id
        try:
            if not session_id:
                session_id = secrets.token_urlsafe(18)
                await store.create(session_id, owner, virtual.model.id, token, lease_s, ttl_s)
                return _Ticket(session_id, token, ttl_s, memory, [], [], new), []
            opened = await self._open(store, session_id, owner, token, lease_s, call.deadline)
        except SessionsUnavailable:
            raise sessions_unavailable() from None
        ticket = _Ticket(session_id, token, ttl_s, memory, [], [], new)
        if opened is None or opened.session.model != virtual.model.id:
            if opened is not None:
                await self._release(ticket)
            raise session_not_found(session_id)
        history = []
        for raw in opened.messages:
            ticket.sizes.append(len(raw))
            try:
                message = codec.decode(raw)
            except codec.CodecError as exc:
                log.error("session %s: a stored message cannot be read (%s); it is not sent", session_id, exc)
                ticket.roles.append(Role.UNSPECIFIED)
                continue
            ticket.roles.append(message.role)
            history.append(message)
        return ticket, history

    async def _open(
        self,
        store: SessionStore,
        session_id: str,
        owner: str,
        token: str,
        lease_s: float,
        deadline: float | None,
    ) -> OpenedSession | None:
        give_up = time.monotonic() + self.settings.busy_wait_s
        if deadline is not None:
            give_up = min(give_up, deadline - BUSY_MARGIN_S)
        while True:
            try:
                return await store.open(session_id, owner, token, lease_s)
            except SessionLeased:
                remaining = give_up - time.monotonic()
                if remaining <= 0:
                    raise session_busy(session_id) from None
                await self._waiters.wait(session_id, min(self.settings.poll_interval_s, remaining))

    async def _release(self, ticket: _Ticket) -> None:
        try:
            await self.store.release(ticket.session_id, ticket.token)
        except SessionsUnavailable:
            log.warning(
                "session %s: the store is unreachable; its lease expires on its own", ticket.session_id
            )
        finally:
            self._waiters.wake(ticket.session_id)

    def _lease_s(self, call: Call) -> float:
        longest = self.settings.max_lease_s
        if call.deadline is None:
            return longest
        return min(longest, max(0.0, call.deadline - time.monotonic()) + LEASE_MARGIN_S)

    # -- the request -------------------------------------------------------------------
    def _compile(self, model: Any) -> CompiledVirtual:
        compiled = self._compiled.get(model.id)
        if compiled is None or compiled.model is not model:
            compiled = self._compiled[model.id] = compile_virtual(model)
        return compiled

    def _rewrite(
        self, call: Call, virtual: CompiledVirtual, request: ChatRequest, history: list[Message], session: str
    ) -> ChatRequest:
        """The request for the target: system prompt, history, the caller's messages."""
        new = request.messages
        new_tokens = sum(map(message_tokens, new))
        history_tokens: list[int] | None = None  # estimated when a rule or a budget needs them
        principal = call.principal
        facts = Facts(
            _latest_user_text(new, history)[:MAX_SCAN_CHARS],
            UNKNOWN_TOKENS,
            len(history) + len(new),
            call.tags,
            principal.labels if principal is not None else NO_TAGS,
            any(isinstance(p, ImagePart) for m in new for p in m.parts),
            bool(request.tools),
        )

        def estimate() -> int:
            nonlocal history_tokens
            if history_tokens is None:
                history_tokens = [message_tokens(m) for m in history]
            return new_tokens + sum(history_tokens)

        target_id, rule = self._route(virtual, facts, session, estimate)
        generation = virtual.generation(request.generation)
        system = virtual.template.render(virtual.model.id, call) if virtual.template is not None else ""
        prompt = [Message(Role.SYSTEM, [TextPart(system)])] if system else []
        messages = new
        if history:
            fixed = new_tokens + sum(map(message_tokens, prompt))
            memory = virtual.config.memory
            budget = history_budget(
                self.catalog.get(target_id), generation.max_tokens, fixed, memory.max_history_tokens
            )
            starts = turn_starts([m.role for m in history])
            # New messages that continue a turn (tool results) keep that turn whole.
            keep = (starts[-1] if starts else 0) if new[0].role is not Role.USER else None
            if budget is None:
                sizes = [0] * len(history)  # the count alone decides
            else:
                estimate()
                sizes = history_tokens or []
            dropped = cut(sizes, starts, memory.max_messages, budget, keep)
            messages = [*history[dropped:], *new]
        if request.session_id and any(m.role is Role.TOOL for m in new):
            _check_tool_results(messages, len(messages) - len(new))
        memory_on = virtual.config.memory.enabled
        call.route = VirtualRoute(
            virtual.model.id, target_id, rule, virtual.config.show_served, session if memory_on else ""
        )
        return replace(
            request, model=target_id, messages=[*prompt, *messages], generation=generation, session_id=""
        )

    def _route(
        self, virtual: CompiledVirtual, facts: Facts, split_key: str, estimate: Callable[[], int]
    ) -> tuple[str, str]:
        """The target (never a virtual model) and the rules that led there. The conversation's
        tokens are estimated only for rules that bound them."""
        rules: list[str] = []
        for _ in range(MAX_DEPTH):
            if virtual.uses_tokens and facts.tokens == UNKNOWN_TOKENS:
                facts = replace(facts, tokens=estimate())
            target, rule = virtual.route(facts, split_key)
            rules.append(rule)
            model = self.catalog.get(target)
            if model is None or model.virtual is None:
                return target, rule if len(rules) == 1 else " > ".join(r or "default" for r in rules)
            virtual = self._compile(model)
        raise invalid_request([("model", f"virtual models route through more than {MAX_DEPTH} levels")])


def _latest_user_text(new: list[Message], history: list[Message]) -> str:
    for messages in (new, history):
        for message in reversed(messages):
            if message.role is Role.USER:
                return message.text()
    return ""


def _check_tool_results(messages: list[Message], offset: int) -> None:
    """Each tool result among the caller's messages answers a call made before it (the
    check validation leaves to this policy when the call has a session)."""
    calls: set[str] = set()
    violations = []
    for i, message in enumerate(messages):
        calls.update(c.id for c in message.tool_calls)
        if i >= offset and message.role is Role.TOOL and message.tool_call_id not in calls:
            violations.append(
                (f"messages[{i - offset}].tool_call_id", "does not match a tool call of the conversation")
            )
    if violations:
        raise invalid_request(violations)


class _Waiters:
    """Calls of this replica waiting for a session's lease, woken when a call of this
    replica releases it (calls of other replicas are noticed by polling)."""

    def __init__(self) -> None:
        self._waiting: dict[str, tuple[asyncio.Event, list[int]]] = {}

    async def wait(self, session_id: str, seconds: float) -> None:
        entry = self._waiting.get(session_id)
        if entry is None:
            entry = self._waiting[session_id] = (asyncio.Event(), [0])
        event, count = entry
        count[0] += 1
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            pass
        finally:
            count[0] -= 1
            if not count[0] and self._waiting.get(session_id) is entry:
                del self._waiting[session_id]

    def wake(self, session_id: str) -> None:
        entry = self._waiting.pop(session_id, None)
        if entry is not None:
            entry[0].set()


def build(components: Any, **options: Any) -> SessionPolicy | None:
    """The built-in "sessions" policy (virtual models and their sessions): None when
    `sessions.enabled` is off. Sessions live in Redis when `redis.url` is set (unless
    `sessions.backend: sql`), else in the registry database."""
    settings: SessionsSettings = settings_section("sessions", components, options)
    if not settings.enabled:
        return None
    from llmgateway.registry.db import create_registry_engine
    from llmgateway.registry.sessions import SqlSessionStore
    from llmgateway.sessions.redis import RedisSessionStore

    redis = shared_redis("sessions", components, settings.backend, local="sql")
    store: SessionStore
    if redis is not None:
        store = RedisSessionStore(redis)
    else:
        # An engine of its own on the registry database: its own pool and pragmas.
        url = components.registry.engine.url.render_as_string(hide_password=False)
        store = SqlSessionStore(create_registry_engine(url), settings.purge_interval_s)
    return SessionPolicy(components.registry.catalog, store, settings)
