"""Property-based fuzzing of every RPC of every service through the real server:
generated requests (any field, any value), near-valid chat requests, mutated encodings
and raw bytes. Properties (tests/fuzz/conftest.py): never INTERNAL, UNKNOWN, a timeout
or a dropped connection; every error with an ErrorInfo, every INVALID_ARGUMENT with a
field violation, the trailers within the client's metadata limit; the server healthy
after each test. About 3,000 requests per run."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmgateway.admin.v1 import admin_service_pb2
from llmgateway.v1 import chat_pb2, embedding_pb2, gateway_service_pb2, session_service_pb2
from tests.fuzz.conftest import Target, examples
from tests.fuzz.strategies import admin_models, chat_requests, messages, mutations

GATEWAY = gateway_service_pb2.DESCRIPTOR.services_by_name["GatewayService"]
ADMIN = admin_service_pb2.DESCRIPTOR.services_by_name["AdminService"]
SESSIONS = session_service_pb2.DESCRIPTOR.services_by_name["SessionService"]
METHODS = [(s, m) for s in (GATEWAY, SESSIONS, ADMIN) for m in s.methods]


def _path(service, method) -> str:  # type: ignore[no-untyped-def]
    return f"/{service.full_name}/{method.name}"


@pytest.mark.parametrize(("service", "method"), METHODS, ids=[m.name + "@" + s.name for s, m in METHODS])
@given(data=st.data())
@examples(150)
async def test_generated_requests(target: Target, service, method, data) -> None:  # type: ignore[no-untyped-def]
    request = data.draw(messages(method.input_type))
    await target.call(
        _path(service, method),
        request.SerializeToString(),
        admin=service is ADMIN,
        streaming=method.server_streaming,
    )


@pytest.mark.parametrize("streaming", [False, True], ids=["Chat", "StreamChat"])
@given(data=st.data())
@examples(250)
async def test_near_valid_chat_requests(target: Target, streaming: bool, data) -> None:  # type: ignore[no-untyped-def]
    cls = chat_pb2.StreamChatRequest if streaming else chat_pb2.ChatRequest
    request = data.draw(chat_requests(cls))
    method = "StreamChat" if streaming else "Chat"
    await target.call(
        f"/llmgateway.v1.GatewayService/{method}", request.SerializeToString(), streaming=streaming
    )


VALID = {
    "Chat": chat_pb2.ChatRequest(
        model="mock/echo",
        messages=[chat_pb2.Message(role=chat_pb2.ROLE_USER, content=[chat_pb2.ContentPart(text="hi")])],
        generation=chat_pb2.GenerationConfig(max_tokens=5, stop=["x"]),
    ).SerializeToString(),
    "Embed": embedding_pb2.EmbedRequest(
        model="mock/embed", inputs=["a", "b"], dimensions=4
    ).SerializeToString(),
}


@pytest.mark.parametrize(("service", "method"), METHODS, ids=[m.name + "@" + s.name for s, m in METHODS])
@given(data=st.data())
@examples(60)
async def test_mutated_and_raw_bytes(target: Target, service, method, data) -> None:  # type: ignore[no-untyped-def]
    seed = data.draw(
        st.one_of(
            st.sampled_from(list(VALID.values())),
            messages(method.input_type).map(lambda m: m.SerializeToString()),
        )
    )
    raw = data.draw(st.one_of(mutations(seed), st.binary(max_size=64)))
    await target.call(_path(service, method), raw, admin=service is ADMIN, streaming=method.server_streaming)


@given(model=admin_models())
@examples(60)
async def test_admin_writes_store_only_rows_that_render(target: Target, model) -> None:  # type: ignore[no-untyped-def]
    admin = "/llmgateway.admin.v1.AdminService/"
    status = await target.call(
        admin + "CreateModel",
        admin_service_pb2.CreateModelRequest(model=model).SerializeToString(),
        admin=True,
    )
    get = admin_service_pb2.GetModelRequest(id=model.id).SerializeToString()
    assert await target.call(admin + "GetModel", get, admin=True) == ("OK" if status == "OK" else "NOT_FOUND")
    await target.call(
        admin + "ListModels", admin_service_pb2.ListModelsRequest().SerializeToString(), admin=True
    )
    if status == "OK":
        delete = admin_service_pb2.DeleteModelRequest(id=model.id).SerializeToString()
        assert await target.call(admin + "DeleteModel", delete, admin=True) == "OK"
