"""A virtual model compiled for serving (its template parsed, its rules compiled, its
defaults listed), once per version of the model, and what it does to a request:
generation defaults applied and the target picked."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from llmgateway.core.models import Model
from llmgateway.core.types import GenerationConfig
from llmgateway.core.virtual import GenerationDefaults, GenerationField, VirtualModel
from llmgateway.sessions.rules import CompiledRule, Facts, RuleError, compile_rules
from llmgateway.sessions.template import Template

DEFAULT_RULE = ""  # the rule name recorded when the default target serves


@dataclass(frozen=True, slots=True)
class CompiledVirtual:
    model: Model
    config: VirtualModel
    template: Template | None
    rules: tuple[CompiledRule, ...]
    defaults: tuple[tuple[str, Any, bool], ...]  # (field, value, locked) of what the defaults set
    uses_tokens: bool  # a rule bounds the conversation's estimated tokens

    def route(self, facts: Facts, split_key: str) -> tuple[str, str]:
        """(target, name of the rule that picked it or DEFAULT_RULE)."""
        for rule in self.rules:
            if rule.matches(facts):
                return rule.pick(split_key), rule.name
        return self.config.default_target, DEFAULT_RULE

    def generation(self, given: GenerationConfig) -> GenerationConfig:
        """The caller's parameters with the defaults applied: a default fills what the
        caller left unset, a locked field always takes the default (or none)."""
        if not self.defaults:
            return given
        out = replace(given)
        for name, value, locked in self.defaults:
            if locked or getattr(given, name) is None:
                setattr(out, name, value)
        return out


def compile_virtual(model: Model) -> CompiledVirtual:
    """Raises RuleError (a rule), or ValueError (the template) for what cannot serve."""
    config = model.virtual
    if config is None:
        raise ValueError(f"model {model.id!r} is not a virtual model")
    try:
        template = Template(config.system_prompt) if config.system_prompt else None
    except ValueError as exc:
        raise RuleError("system_prompt", str(exc)) from None
    rules = compile_rules(config.rules)
    uses_tokens = any(rule.uses_tokens for rule in rules)
    return CompiledVirtual(model, config, template, rules, _defaults(config.defaults), uses_tokens)


def _defaults(defaults: GenerationDefaults) -> tuple[tuple[str, Any, bool], ...]:
    found = []
    for field in GenerationField:
        value = getattr(defaults, field.value)
        locked = field in defaults.locked
        if value is not None or locked:
            found.append((field.value, value.value if isinstance(value, Enum) else value, locked))
    return tuple(found)
