"""The SessionService methods: show and clear the conversations of virtual models with
memory. A session is found only with the API key that created it (another key gets
SESSION_NOT_FOUND, as for a session that never existed or expired)."""

from __future__ import annotations

from llmgateway.api.convert import message_out
from llmgateway.core.calls import Call
from llmgateway.core.errors import invalid_request, session_not_found, sessions_unavailable
from llmgateway.core.paging import decode_page_token, encode_page_token
from llmgateway.core.ports import SessionStore, SessionsUnavailable, StoredSession
from llmgateway.core.validation import SESSION_ID
from llmgateway.sessions import codec
from llmgateway.v1 import session_service_pb2 as pb

SESSION_SERVICE = pb.DESCRIPTOR.services_by_name["SessionService"]
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_LISTING = "session-messages/v1"


class SessionServicer:
    """`store` None: the gateway keeps no sessions (the `sessions` policy is off)."""

    def __init__(self, store: SessionStore | None) -> None:
        self.store = store

    def _store(self, session_id: str, call: Call) -> SessionStore:
        call.target = session_id
        if not SESSION_ID.match(session_id):
            problem = "is required: letters, digits, _ and -, at most 128 characters"
            raise invalid_request([("session_id", problem)])
        if self.store is None:
            raise session_not_found(session_id)
        return self.store

    async def get_session(self, request: pb.GetSessionRequest, call: Call) -> pb.GetSessionResponse:
        store = self._store(request.session_id, call)
        try:
            found = await store.get(request.session_id, _owner(call))
        except SessionsUnavailable:
            raise sessions_unavailable() from None
        if found is None:
            raise session_not_found(request.session_id)
        return pb.GetSessionResponse(session=_session_out(found))

    async def list_session_messages(
        self, request: pb.ListSessionMessagesRequest, call: Call
    ) -> pb.ListSessionMessagesResponse:
        store = self._store(request.session_id, call)
        violations = []
        if not 0 <= request.page_size <= MAX_PAGE_SIZE:
            violations.append(("page_size", f"must be between 0 and {MAX_PAGE_SIZE}"))
        after = _after(request.session_id, request.page_token)
        if after is None:
            violations.append(("page_token", "is not a token returned by ListSessionMessages"))
        if violations or after is None:
            raise invalid_request(violations)
        size = request.page_size or DEFAULT_PAGE_SIZE
        try:
            found = await store.messages(request.session_id, _owner(call), after, size + 1)
        except SessionsUnavailable:
            raise sessions_unavailable() from None
        if found is None:
            raise session_not_found(request.session_id)
        _, page = found
        token = ""
        if len(page) > size:
            page = page[:size]
            token = encode_page_token(_LISTING, f"{request.session_id}:{page[-1][0]}")
        messages = []
        for _, raw in page:
            try:
                messages.append(message_out(codec.decode(raw)))
            except codec.CodecError:
                continue  # logged when a call reads it; never sent half-read
        return pb.ListSessionMessagesResponse(messages=messages, next_page_token=token)

    async def delete_session(self, request: pb.DeleteSessionRequest, call: Call) -> pb.DeleteSessionResponse:
        store = self._store(request.session_id, call)
        try:
            deleted = await store.delete(request.session_id, _owner(call))
        except SessionsUnavailable:
            raise sessions_unavailable() from None
        if not deleted:
            raise session_not_found(request.session_id)
        return pb.DeleteSessionResponse()


def _owner(call: Call) -> str:
    return call.principal.key_id if call.principal is not None else ""


def _after(session_id: str, page_token: str) -> int | None:
    """The sequence number a page token continues after (-1: from the start)."""
    decoded = decode_page_token(_LISTING, page_token)
    if decoded is None or not decoded:
        return None if decoded is None else -1
    owner_id, _, seq = decoded.rpartition(":")
    if owner_id != session_id or not seq.isdigit():
        return None
    return int(seq)


def _session_out(s: StoredSession) -> pb.Session:
    session = pb.Session(id=s.id, model=s.model, message_count=s.message_count)
    session.create_time.FromMilliseconds(round(s.create_time * 1000))
    session.update_time.FromMilliseconds(round(s.update_time * 1000))
    session.expire_time.FromMilliseconds(round(s.expire_time * 1000))
    return session
