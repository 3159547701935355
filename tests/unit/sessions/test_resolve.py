"""A compiled virtual model: templates, generation defaults (overridable or locked),
and the first matching rule or the default target."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from llmgateway.core.calls import Call, Principal
from llmgateway.core.models import Model
from llmgateway.core.types import GenerationConfig
from llmgateway.core.virtual import (
    GenerationDefaults,
    GenerationField,
    ModelKind,
    ReasoningEffort,
    RouteTarget,
    RoutingRule,
    VirtualModel,
)
from llmgateway.sessions.resolve import compile_virtual
from llmgateway.sessions.rules import Facts
from llmgateway.sessions.template import Template


def virtual(**config: object) -> Model:
    return Model(id="v/bot", kind=ModelKind.VIRTUAL, virtual=VirtualModel(default_target="m/a", **config))  # type: ignore[arg-type]


def test_templates_fill_variables_from_the_call() -> None:
    call = Call("Chat", "r1", principal=Principal("k1", "Support", {"team": "eu"}))
    call.tags = {"task": "triage"}
    text = Template(
        "{{model}} for {{ key_name }} ({{key_id}}) of {{label.team}} on {{tag.task}} {{date}} {{label.none}}."
    ).render("v/bot", call)
    assert text.startswith("v/bot for Support (k1) of eu on triage ") and text.endswith(" .")
    rendered_date = text.removeprefix("v/bot for Support (k1) of eu on triage ").removesuffix(" .")
    assert datetime.strptime(rendered_date, "%Y-%m-%d").replace(tzinfo=UTC) <= datetime.now(UTC)
    # Values are not read as placeholders again; no key at all renders empty.
    call.tags = {"task": "{{key_id}}"}
    assert Template("{{tag.task}}|{{key_id}}").render("v/bot", Call("Chat", "r2", principal=None)) == "|"
    assert Template("{{tag.task}}").render("v/bot", call) == "{{key_id}}"
    assert Template("no variables").static == "no variables"


@pytest.mark.parametrize("source", ["{{secret}}", "{{label.}}", "{{ tag.a b }}", "{{__class__}}"])
def test_unknown_template_variables_are_refused(source: str) -> None:
    with pytest.raises(ValueError, match="not a template variable"):
        Template(source)


def test_defaults_fill_what_the_caller_left_and_locked_fields_always_win() -> None:
    defaults = GenerationDefaults(
        max_tokens=100,
        temperature=0.2,
        reasoning_effort=ReasoningEffort.LOW,
        locked=frozenset({GenerationField.MAX_TOKENS, GenerationField.TOP_P}),
    )
    compiled = compile_virtual(virtual(defaults=defaults))
    given = GenerationConfig(max_tokens=5000, temperature=0.9, top_p=0.5, seed=3)
    out = compiled.generation(given)
    assert (out.max_tokens, out.temperature, out.top_p, out.seed) == (100, 0.9, None, 3)
    assert out.reasoning_effort == "low" and type(out.reasoning_effort) is str
    assert given.max_tokens == 5000  # the caller's object is not changed
    assert compiled.generation(GenerationConfig()).temperature == 0.2
    plain = compile_virtual(virtual())
    assert plain.generation(given) is given


def test_the_first_matching_rule_picks_the_target_else_the_default() -> None:
    rules = (
        RoutingRule("images", has_images=True, targets=(RouteTarget("m/vision"),)),
        RoutingRule("code", any_words=("python",), targets=(RouteTarget("m/code"),)),
        RoutingRule("also-code", pattern="python", targets=(RouteTarget("m/other"),)),
    )
    compiled = compile_virtual(virtual(rules=rules))
    facts = Facts("python please", 10, 1, {}, {}, False, False)
    assert compiled.route(facts, "") == ("m/code", "code")
    assert compiled.route(Facts("hello", 10, 1, {}, {}, True, False), "") == ("m/vision", "images")
    assert compiled.route(Facts("hello", 10, 1, {}, {}, False, False), "") == ("m/a", "")
