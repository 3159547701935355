"""Virtual models through the real server: an A/B split (1,000 calls within a few
percent of 70/30, sticky per session), what the caller sees, ListModels, the metrics,
the target's retries and fallbacks (an emulator that fails first), the errors of bad
virtual models as field violations, and the dependents a write may not break."""

from __future__ import annotations

from collections import Counter
from typing import Any

import grpc
import pytest

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_pb2
from llmgateway.v1 import chat_pb2, embedding_pb2, model_pb2
from tests.canaries import PROVIDER_KEY, PROVIDER_KEY_ENV
from tests.emulators.base import Script
from tests.emulators.openai import OpenAIEmulator
from tests.helpers import Details, chat, scrape, stream, user
from tests.integration.adminkit import Gateway, mask, new_model

CHAT, STREAM, TOOLS, EMBED = (
    model_pb2.CAPABILITY_CHAT,
    model_pb2.CAPABILITY_STREAM,
    model_pb2.CAPABILITY_TOOLS,
    model_pb2.CAPABILITY_EMBED,
)


def target(model: str, weight: float = 0) -> admin_pb2.RouteTarget:
    return admin_pb2.RouteTarget(model=model, weight=weight)


def virtual(model_id: str = "team/bot", default: str = "ab/a", **config: Any) -> admin_pb2.Model:
    return admin_pb2.Model(
        id=model_id,
        kind=model_pb2.MODEL_KIND_VIRTUAL,
        capabilities=[CHAT, STREAM],
        virtual=admin_pb2.VirtualModel(default_target=default, **config),
    )


MOCKS = [
    {"id": f"ab/{name}", "provider": "mock", "upstream_model": "echo", "capabilities": ["chat", "stream"]}
    for name in ("a", "b")
]


@pytest.fixture
async def gw(start: Any) -> Gateway:
    gateway: Gateway = await start(models=MOCKS)
    return gateway


async def test_an_ab_split_holds_its_weights_and_is_sticky_per_session(gw: Gateway) -> None:
    split = admin_pb2.RoutingRule(name="ab", targets=[target("ab/a", 7), target("ab/b", 3)])
    await gw.call("CreateModel", pb.CreateModelRequest(model=virtual(rules=[split], show_served=True)))
    served = Counter()
    for _ in range(1000):
        response = await gw.stub.Chat(chat("team/bot"), timeout=5)
        served[response.model] += 1
    assert abs(served["ab/a"] - 700) <= 60, served  # about 4 standard deviations

    memory = admin_pb2.Memory(enabled=True)
    sticky = virtual("team/sticky", rules=[split], show_served=True, memory=memory)
    await gw.call("CreateModel", pb.CreateModelRequest(model=sticky))
    seen = Counter()
    for _ in range(40):
        first = await gw.stub.Chat(chat("team/sticky"), timeout=5)
        for _ in range(2):
            again = await gw.stub.Chat(chat("team/sticky", session_id=first.session_id), timeout=5)
            assert (again.model, again.session_id) == (first.model, first.session_id)
        seen[first.model] += 1
    assert set(seen) == {"ab/a", "ab/b"}  # 40 sessions: both sides (a miss is 0.3 ** 40 + 0.7 ** 40)


async def test_what_the_caller_sees_and_what_the_logs_record(
    gw: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    rule = admin_pb2.RoutingRule(name="greeting", any_words=["hello"], targets=[target("ab/b")])
    await gw.call("CreateModel", pb.CreateModelRequest(model=virtual(rules=[rule])))
    caplog.set_level("INFO", logger="llmgateway.calls")
    response = await gw.stub.Chat(chat("team/bot", user("Hello there")), timeout=5)
    assert (response.model, response.provider, response.deployment, response.upstream_model) == (
        "team/bot",
        "",
        "",
        "",
    )
    assert response.session_id == ""  # no memory, no session
    (line,) = [r for r in caplog.records if r.name == "llmgateway.calls"]
    assert (line.model, line.provider, line.deployment) == ("ab/b", "mock", "primary")  # type: ignore[attr-defined]
    assert (line.virtual_model, line.rule) == ("team/bot", "greeting")  # type: ignore[attr-defined]

    listed = await gw.stub.ListModels(model_pb2.ListModelsRequest(), timeout=5)
    bot = next(m for m in listed.models if m.id == "team/bot")
    assert bot.kind == model_pb2.MODEL_KIND_VIRTUAL and bot.provider == ""
    assert next(m for m in listed.models if m.id == "ab/a").kind == model_pb2.MODEL_KIND_UPSTREAM


async def test_calls_to_a_virtual_model_are_counted_by_rule_and_target(start: Any) -> None:
    gw: Gateway = await start(models=MOCKS, metrics={"address": "127.0.0.1:0"})
    rule = admin_pb2.RoutingRule(name="greeting", any_words=["hello"], targets=[target("ab/b")])
    await gw.call("CreateModel", pb.CreateModelRequest(model=virtual(rules=[rule])))
    await gw.stub.Chat(chat("team/bot", user("Hello there")), timeout=5)
    for _ in range(2):
        await gw.stub.Chat(chat("team/bot", user("what now")), timeout=5)
    await gw.stub.Chat(chat("ab/a"), timeout=5)  # not through a virtual model: not counted
    metrics = await scrape(gw.running.metrics_port)
    labels = ("virtual_model", "rule", "gen_ai_request_model")
    assert metrics.series("llmgateway_virtual_model_calls_total", *labels) == {
        ("team/bot", "greeting", "ab/b"): 1,
        ("team/bot", "", "ab/a"): 2,  # the default target: no rule
    }


async def test_the_targets_retries_and_fallbacks_apply_through_a_virtual_model(
    start: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROVIDER_KEY_ENV, PROVIDER_KEY)
    async with OpenAIEmulator() as emu:
        upstream = {
            "id": "up/gpt",
            "provider": "openai",
            "upstream_model": "gpt",
            "base_url": emu.base_url,
            "credential_ref": PROVIDER_KEY_ENV,
            "capabilities": ["chat", "stream"],
            "retry": {"max_retries": 1, "initial_backoff": 0.01, "max_backoff": 0.02},
            "cooldown": {"failures": 1000},
            "fallbacks": ["ab/b"],
        }
        gw: Gateway = await start(models=[*MOCKS, upstream])
        bot = virtual(default="up/gpt", show_served=True)
        await gw.call("CreateModel", pb.CreateModelRequest(model=bot))

        emu.scripts = [Script(error_status=500, error_kind="server"), Script()]
        retried = await gw.stub.Chat(chat("team/bot"), timeout=5)
        assert (retried.model, retried.provider, retried.attempts) == ("up/gpt", "openai", 2)
        assert retried.message.content[0].text == "Hello, world!" and len(emu.requests) == 2

        emu.script = Script(error_status=503, error_kind="server")
        fell_back = await gw.stub.Chat(chat("team/bot", user("ping")), timeout=5)
        assert (fell_back.model, fell_back.provider, fell_back.attempts) == ("ab/b", "mock", 3)
        assert fell_back.message.content[0].text == "Echo: ping"
        assert len(emu.requests) == 4  # 1 + max_retries, then the fallback
        events = [e async for e in gw.stub.StreamChat(stream("team/bot", user("ping")), timeout=5)]
        assert (events[0].start.model, events[0].start.attempts) == ("ab/b", 3)
        assert len(emu.requests) == 6


async def test_a_virtual_model_serves_only_chat_with_the_capabilities_it_promises(gw: Gateway) -> None:
    await gw.call("CreateModel", pb.CreateModelRequest(model=virtual()))
    tool = chat_pb2.Tool(name="f")
    failed = await _fails(gw.stub.Chat(chat("team/bot", tools=[tool]), timeout=5))
    assert failed.reason == "CAPABILITY_NOT_SUPPORTED" and failed.error_info is not None
    assert failed.error_info.metadata["model"] == "team/bot"
    failed = await _fails(
        gw.stub.Embed(embedding_pb2.EmbedRequest(model="team/bot", inputs=["x"]), timeout=5)
    )
    assert failed.reason == "CAPABILITY_NOT_SUPPORTED"
    failed = await _fails(gw.stub.Chat(chat("ab/a", session_id="abc"), timeout=5))
    assert failed.code == grpc.StatusCode.INVALID_ARGUMENT and failed.fields == ["session_id"]


INVALID = [
    (virtual(default="team/missing"), "model.virtual.default_target", "does not exist"),
    (virtual(default="team/bot"), "model.virtual.default_target", "itself"),
    (
        virtual(rules=[admin_pb2.RoutingRule(name="r", pattern="(unclosed", targets=[target("ab/b")])]),
        "model.virtual.rules[0].pattern",
        "RE2",
    ),
    (
        virtual(rules=[admin_pb2.RoutingRule(name="r", pattern=r"[\s\S]{900}", targets=[target("ab/b")])]),
        "model.virtual.rules[0].pattern",
        "too complex",
    ),
    (virtual(rules=[admin_pb2.RoutingRule(name="r")]), "model.virtual.rules[0].targets", "at least one"),
    (
        virtual(rules=[admin_pb2.RoutingRule(name="r", targets=[target("team/nope")])]),
        "model.virtual.rules[0].targets[0].model",
        "does not exist",
    ),
    (virtual(system_prompt="Hi {{secret}}"), "model.virtual.system_prompt", "not a template variable"),
    (virtual(default=""), "model.virtual.default_target", "required"),
    (
        admin_pb2.Model(id="team/bot", kind=model_pb2.MODEL_KIND_VIRTUAL, capabilities=[CHAT]),
        "model.virtual",
        "required",
    ),
    (new_model("team/bot", virtual=admin_pb2.VirtualModel(default_target="ab/a")), "model.virtual", "only"),
    (
        admin_pb2.Model(
            id="team/bot",
            kind=model_pb2.MODEL_KIND_VIRTUAL,
            capabilities=[CHAT, EMBED],
            virtual=admin_pb2.VirtualModel(default_target="ab/a"),
        ),
        "model.capabilities",
        "chat only",
    ),
    (
        admin_pb2.Model(
            id="team/bot",
            kind=model_pb2.MODEL_KIND_VIRTUAL,
            provider="mock",
            capabilities=[CHAT],
            virtual=admin_pb2.VirtualModel(default_target="ab/a"),
        ),
        "model.provider",
        "no upstream",
    ),
    (
        admin_pb2.Model(
            id="team/bot",
            kind=model_pb2.MODEL_KIND_VIRTUAL,
            capabilities=[CHAT, TOOLS],
            virtual=admin_pb2.VirtualModel(default_target="ab/a"),
        ),
        "model.virtual.default_target",
        "lacks tools",
    ),
]


@pytest.mark.parametrize(("model", "field", "says"), INVALID, ids=lambda v: getattr(v, "id", v))
async def test_bad_virtual_models_are_field_violations(
    gw: Gateway, model: admin_pb2.Model, field: str, says: str
) -> None:
    details = await gw.fails("CreateModel", pb.CreateModelRequest(model=model))
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT and details.reason == "INVALID_REQUEST"
    assert details.fields == [field], details.message
    assert details.bad_request is not None and says in details.bad_request.field_violations[0].description


async def test_no_virtual_model_routes_back_to_itself_through_others(gw: Gateway) -> None:
    await gw.call("CreateModel", pb.CreateModelRequest(model=virtual("team/one", default="ab/a")))
    await gw.call("CreateModel", pb.CreateModelRequest(model=virtual("team/two", default="team/one")))
    # team/two -> team/one works, through two levels of routing.
    response = await gw.stub.Chat(chat("team/two"), timeout=5)
    assert response.model == "team/two"
    loop = virtual("team/one", default="team/two")
    details = await gw.fails("UpdateModel", pb.UpdateModelRequest(model=loop, update_mask=mask("virtual")))
    assert details.fields == ["model.virtual"]
    assert "team/one > team/two > team/one" in details.message


async def test_a_write_may_not_break_a_virtual_model_that_routes_to_it(gw: Gateway) -> None:
    await gw.call("CreateModel", pb.CreateModelRequest(model=virtual(default="ab/a")))
    details = await gw.fails("DeleteModel", pb.DeleteModelRequest(id="ab/a"))
    assert details.fields == ["id"] and "team/bot" in details.message
    narrowed = new_model("ab/a", capabilities=[CHAT])
    details = await gw.fails(
        "UpdateModel", pb.UpdateModelRequest(model=narrowed, update_mask=mask("capabilities"))
    )
    assert details.fields == ["model"] and "lacks stream" in details.message
    await gw.call("DeleteModel", pb.DeleteModelRequest(id="team/bot"))
    await gw.call("DeleteModel", pb.DeleteModelRequest(id="ab/a"))


async def test_a_virtual_model_round_trips_through_the_admin_api(gw: Gateway) -> None:
    model = virtual(
        system_prompt="Hello {{key_name}} on {{date}}",
        defaults=admin_pb2.GenerationDefaults(
            temperature=0.5,
            seed=7,
            reasoning_effort=chat_pb2.REASONING_EFFORT_LOW,
            locked=[admin_pb2.GENERATION_FIELD_TEMPERATURE, admin_pb2.GENERATION_FIELD_TOP_P],
        ),
        memory=admin_pb2.Memory(enabled=True, max_messages=12, max_history_tokens=5000),
        rules=[
            admin_pb2.RoutingRule(
                name="big",
                min_estimated_tokens=100,
                max_messages=40,
                tags={"task": "triage"},
                labels={"team": "eu"},
                has_images=False,
                has_tools=True,
                any_words=["invoice"],
                targets=[target("ab/a", 2), target("ab/b", 1)],
            )
        ],
        show_served=True,
    )
    model.description = "A bot"
    model.virtual.memory.idle_timeout.FromSeconds(3600)
    created = (await gw.call("CreateModel", pb.CreateModelRequest(model=model))).model
    got = (await gw.call("GetModel", pb.GetModelRequest(id="team/bot"))).model
    assert got == created
    assert got.virtual == model.virtual and got.description == "A bot"
    assert got.virtual.rules[0].HasField("has_images") and not got.virtual.rules[0].has_images
    assert not got.virtual.defaults.HasField("max_tokens")


async def _fails(call: Any) -> Details:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    return Details(info.value)
