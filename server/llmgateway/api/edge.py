"""The one edge wrapper every gRPC method goes through (data and admin plane).

A servicer method is `handler(request, call)`: convert in, call the core, convert
out. The wrapper does everything around it, once:
- decodes the request bytes itself, so undecodable bytes are INVALID_ARGUMENT with a
  BadRequest (grpc's own deserializer would answer UNKNOWN and log a stack trace),
  and checks the request size;
- builds the `Call` record: request id (the caller's `x-request-id` when well
  formed), deadline (the caller's, else the method's server-side maximum), client
  address, registry revision;
- sheds load beyond the configured concurrent calls and streams (RESOURCE_EXHAUSTED
  / OVERLOADED with RetryInfo) instead of queueing without bound;
- authenticates when the service asks for it (the admin token; API keys on the
  data plane, api/auth.py);
- reports the call to the observers and maps any failure to a status with
  `google.rpc` details; unexpected exceptions become INTERNAL with only the request id.

Unary calls return the request id and registry revision as trailers (a separate
header batch costs ~0.07 ms of CPU per call); a stream sends them as headers with
its first event. Both carry the metadata policies added (`call.response_metadata`).
A call that was answered ends with its cost in the `x-llmgateway-cost` trailer.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any, NoReturn

import grpc
from google.protobuf import message
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message_factory import GetMessageClass

from llmgateway.api.money import cost_trailer
from llmgateway.api.status import grpc_code, public_error, status_details
from llmgateway.core.calls import Call, Header
from llmgateway.core.errors import GatewayError, Reason, invalid_request
from llmgateway.core.pipeline import Observers

log = logging.getLogger("llmgateway.edge")
REQUEST_ID_HEADER = "x-request-id"
REVISION_HEADER = "x-registry-revision"
# Tells a gRPC client with a retry policy not to retry: the gateway already did.
RETRY_PUSHBACK_HEADER = "grpc-retry-pushback-ms"
_CALLER_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Gateway request ids: a random per-process prefix and a counter, 32 hex digits;
# unique across replicas without a random draw (a syscall) per call.
_ID_PREFIX = os.urandom(8).hex()
_id_counter = itertools.count()

Context = grpc.aio.ServicerContext[Any, Any]
# The call's metadata as (key, value) pairs, read once per call (grpc converts it anew
# at each invocation_metadata()).
Metadata = Collection[tuple[str, str | bytes]]
Authenticate = Callable[[Metadata, Call], None]


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    max_request_bytes: int
    max_concurrent_calls: int  # unary calls of the data plane in flight; 0: no cap
    max_concurrent_streams: int  # streams in flight; 0: no cap
    overload_retry_after_s: float
    max_call_duration_s: Mapping[str, float]  # by method, when the caller sets no deadline


class Edge:
    """Builds the wrapped method handlers of one server; holds its in-flight counts."""

    def __init__(self, observers: Observers, revision: Callable[[], str], limits: EdgeLimits) -> None:
        self.observers = observers
        self.revision = revision
        self.limits = limits
        self.calls_in_flight = 0
        self.streams_in_flight = 0

    def bind(
        self,
        service: ServiceDescriptor,
        servicer: object,
        *,
        prefix: str = "",
        authenticate: Authenticate | None = None,
        counted: bool = True,
    ) -> grpc.GenericRpcHandler:
        """Wraps every method of `service`: method `DoThing` is `servicer.do_thing(request,
        call)`; a server-streaming one yields domain events that `servicer.convert_do_thing
        (event, call)` turns into messages. `prefix` starts the method name in `Call.method`."""
        handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
        for method in service.methods:
            snake = _snake(method.name)
            handler = getattr(servicer, snake)
            request_type = GetMessageClass(method.input_type)
            response_type = GetMessageClass(method.output_type)
            name = prefix + method.name
            if method.server_streaming:
                convert = getattr(servicer, f"convert_{snake}")
                handlers[method.name] = self.server_stream(
                    name, request_type, response_type, handler, convert, authenticate=authenticate
                )
            else:
                handlers[method.name] = self.unary(
                    name, request_type, response_type, handler, authenticate=authenticate, counted=counted
                )
        # A generic handler, not registered methods (what generated stubs add): grpc.aio's
        # accept loop keeps one pending call request per registered method and waits on all
        # of them for every call it accepts (asyncio.wait over ~40 futures here); a unary
        # cache hit cost 0.51 ms of CPU that way against 0.44 with one generic handler.
        return grpc.method_handlers_generic_handler(service.full_name, handlers)

    # -- wrappers -----------------------------------------------------------------------
    def unary(
        self,
        method: str,
        request_type: type[message.Message],
        response_type: type[message.Message],
        handler: Callable[[Any, Call], Awaitable[message.Message]],
        *,
        authenticate: Authenticate | None = None,
        counted: bool = True,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        parse = _parser(request_type)
        limits = self.limits
        cap = limits.max_concurrent_calls if counted else 0

        async def rpc(raw: bytes, context: Context) -> message.Message:
            metadata: Metadata = context.invocation_metadata() or ()
            call = self._begin(method, context, metadata)
            admitted = False
            try:
                if cap and self.calls_in_flight >= cap:
                    raise _overloaded("calls", cap, limits.overload_retry_after_s)
                self.calls_in_flight += 1
                admitted = True
                if authenticate is not None:
                    authenticate(metadata, call)
                request = parse(raw, limits.max_request_bytes)
                call.wire_request = raw
                response = await handler(request, call)
            except BaseException as exc:
                request = None  # see _fail: a failed call's frames must not keep the request
                await self._fail(context, call, exc)
            finally:
                if admitted:
                    self.calls_in_flight -= 1
            context.set_trailing_metadata((*_response_metadata(call), *cost_trailer(call)))
            self._end(call, "OK")
            return response

        return grpc.unary_unary_rpc_method_handler(rpc, response_serializer=response_type.SerializeToString)

    def server_stream(
        self,
        method: str,
        request_type: type[message.Message],
        response_type: type[message.Message],
        handler: Callable[[Any, Call], AsyncIterator[Any]],
        convert: Callable[[Any, Call], message.Message],
        *,
        authenticate: Authenticate | None = None,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        """`handler` yields domain events; `convert` makes each a response message
        (one generator layer, not two, between the core and grpc)."""
        parse = _parser(request_type)
        limits = self.limits
        cap = limits.max_concurrent_streams

        async def rpc(raw: bytes, context: Context) -> AsyncIterator[message.Message]:
            metadata: Metadata = context.invocation_metadata() or ()
            call = self._begin(method, context, metadata)
            admitted = False
            try:
                if cap and self.streams_in_flight >= cap:
                    raise _overloaded("streams", cap, limits.overload_retry_after_s)
                self.streams_in_flight += 1
                admitted = True
                if authenticate is not None:
                    authenticate(metadata, call)
                request = parse(raw, limits.max_request_bytes)
                call.wire_request = raw
                async with aclosing(handler(request, call)) as events:  # type: ignore[type-var]
                    first = await anext(events, None)
                    if first is None:
                        raise GatewayError(Reason.INTERNAL, "the stream ended before any event")
                    await context.send_initial_metadata(_response_metadata(call))
                    yield convert(first, call)
                    async for event in events:
                        call.events += 1
                        yield convert(event, call)
                context.set_trailing_metadata(cost_trailer(call))
            except BaseException as exc:
                request = None  # see _fail: a failed call's frames must not keep the request
                await self._fail(context, call, exc)
            finally:
                if admitted:
                    self.streams_in_flight -= 1
            self._end(call, "OK")

        return grpc.unary_stream_rpc_method_handler(rpc, response_serializer=response_type.SerializeToString)

    # -- the call record ----------------------------------------------------------------
    def _begin(self, method: str, context: Context, metadata: Metadata) -> Call:
        request_id = ""
        for key, value in metadata:
            if key == REQUEST_ID_HEADER and isinstance(value, str) and _CALLER_REQUEST_ID.match(value):
                request_id = value
        call = Call(method, request_id or f"{_ID_PREFIX}{next(_id_counter):016x}")
        call.client = context.peer() or ""
        call.registry_revision = self.revision()
        remaining = context.time_remaining()
        if remaining is None:
            remaining = self.limits.max_call_duration_s.get(method)
        if remaining is not None:
            call.deadline = time.monotonic() + remaining
        self.observers.call_started(call)
        return call

    def _end(self, call: Call, status: str, error: GatewayError | None = None) -> None:
        call.status = status
        call.error = error
        call.wire_request = b""  # observers may keep the record (the ledger's queue), not the request
        self.observers.call_ended(call)

    async def _fail(self, context: Context, call: Call, exc: BaseException) -> NoReturn:
        """Ends the RPC with the mapped status; never leaks a stack trace to the caller."""
        if isinstance(exc, GatewayError):
            error = exc
        elif isinstance(exc, grpc.aio.AbortError):
            # A hook ended the RPC with its own status: record that status.
            self._end(call, getattr(context.code(), "name", "UNKNOWN"))
            raise exc
        elif not isinstance(exc, Exception):
            self._end(call, "CANCELLED")  # the caller went away (or the server is stopping)
            raise exc
        else:
            log.error("unexpected error in %s (request %s)", call.method, call.request_id, exc_info=exc)
            error = GatewayError(Reason.INTERNAL, f"internal error (request id {call.request_id})")
        error = public_error(error)  # the last line of defence: no known secret leaves
        self._end(call, error.code.value, error)
        # The traceback holds the failed frames and their parsed request (~40 MB per MiB of
        # dense protobuf); it is a cycle only a full collection frees, so drop it now.
        exc.__traceback__ = None
        trailers: list[tuple[str, str | bytes]] = [
            *_response_metadata(call),
            *cost_trailer(call),
            ("grpc-status-details-bin", status_details(error)),
        ]
        if call.attempts > 1 or error.retry_after is not None:
            # The gateway already retried, or knows when a retry can work (RetryInfo):
            # a client's own retry policy must not multiply the attempts.
            trailers.append((RETRY_PUSHBACK_HEADER, "-1"))
        await context.abort(grpc_code(error.code), error.message, trailing_metadata=tuple(trailers))


def _response_metadata(call: Call) -> tuple[Header, ...]:
    base = ((REQUEST_ID_HEADER, call.request_id), (REVISION_HEADER, call.registry_revision))
    return (*base, *call.response_metadata) if call.response_metadata else base


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _parser(request_type: type[message.Message]) -> Callable[[bytes, int], Any]:
    name = request_type.DESCRIPTOR.name
    from_string = request_type.FromString

    def parse(raw: bytes, max_bytes: int) -> Any:
        if len(raw) > max_bytes:
            raise invalid_request([("request", f"is larger than the limit of {max_bytes} bytes")])
        try:
            return from_string(raw)
        except Exception:  # DecodeError, and upb's recursion limit on deep nesting
            raise invalid_request([("request", f"is not a valid {name} message")]) from None

    return parse


def _overloaded(what: str, cap: int, retry_after: float) -> GatewayError:
    return GatewayError(
        Reason.OVERLOADED,
        f"the gateway is at its limit of {cap} concurrent {what}; retry shortly",
        metadata={"limit": what},
        retry_after=retry_after,
    )
