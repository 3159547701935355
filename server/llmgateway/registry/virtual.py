"""Write-time rules of virtual models. `violations` checks one virtual model on its own
(no upstream fields, capabilities a chat can promise, rules and template that compile,
a default target); `graph_violations` checks it against the other models in the same
write transaction: every target exists and has every capability the virtual model
advertises, and no virtual model routes back to itself, directly or through others.
A write to any model is also refused when it would break a virtual model that routes
to it (deleting its target, taking away a capability it promises)."""

from __future__ import annotations

from collections.abc import Mapping

from llmgateway.core.models import Capability, Model
from llmgateway.core.virtual import ModelKind
from llmgateway.sessions.resolve import compile_virtual
from llmgateway.sessions.rules import RuleError

Violations = list[tuple[str, str]]
# What a virtual model can promise: chat only (its calls are rewritten chat calls).
VIRTUAL_CAPABILITIES = frozenset(
    {
        Capability.CHAT,
        Capability.STREAM,
        Capability.TOOLS,
        Capability.VISION,
        Capability.REASONING,
        Capability.JSON_OUTPUT,
    }
)
_UPSTREAM_FIELDS = (
    "provider",
    "upstream_model",
    "adapter_class",
    "base_url",
    "credential_ref",
    "deployments",
    "fallbacks",
    "fallback_on",
)


def violations(rec: Model, prefix: str = "model") -> Violations:
    """What makes `rec` no valid virtual model on its own (or an upstream model that
    carries virtual settings)."""
    found: Violations = []
    if rec.kind is not ModelKind.VIRTUAL:
        if rec.virtual is not None:
            found.append((f"{prefix}.virtual", "is only for models of kind MODEL_KIND_VIRTUAL"))
        return found
    config = rec.virtual
    if config is None:
        return [(f"{prefix}.virtual", "is required for a virtual model")]
    for name in _UPSTREAM_FIELDS:
        if getattr(rec, name):
            found.append((f"{prefix}.{name}", "must be empty: a virtual model has no upstream of its own"))
    extra = rec.capabilities - VIRTUAL_CAPABILITIES
    if extra:
        names = ", ".join(sorted(c.value for c in extra))
        found.append((f"{prefix}.capabilities", f"a virtual model serves chat only, not {names}"))
    at = f"{prefix}.virtual"
    if not config.default_target:
        found.append((f"{at}.default_target", "is required: the model that serves a call no rule matches"))
    names_seen: set[str] = set()
    for i, rule in enumerate(config.rules):
        if not rule.name or not all(c.isalnum() or c in "_-." for c in rule.name):
            found.append((f"{at}.rules[{i}].name", "letters, digits, _, - and ., 1 to 64 characters"))
        elif rule.name in names_seen:
            found.append((f"{at}.rules[{i}].name", f"{rule.name!r} names an earlier rule too"))
        names_seen.add(rule.name)
    for path, target in _targets(rec):
        if target == rec.id:
            found.append((f"{prefix}.{path}", "routes the virtual model to itself"))
    try:
        compile_virtual(rec)
    except RuleError as exc:
        found.append((f"{at}.{exc.field}", str(exc)))
    return found


def graph_violations(
    rec: Model, models: Mapping[str, Model], prefix: str = "model", loops: bool = True
) -> Violations:
    """`rec`'s targets among `models` (every model as the write would leave them), and
    with `loops` a path back to itself."""
    if rec.virtual is None:
        return []
    found: Violations = []
    for path, target_id in _targets(rec):
        target = models.get(target_id)
        if target is None:
            found.append((f"{prefix}.{path}", f"model {target_id!r} does not exist"))
            continue
        missing = rec.capabilities - target.capabilities
        if missing:
            names = ", ".join(sorted(c.value for c in missing))
            found.append(
                (f"{prefix}.{path}", f"model {target_id!r} lacks {names}, which this virtual model promises")
            )
    loop = _loop(rec.id, models) if loops else []
    if loop:
        found.append((f"{prefix}.virtual", f"routes back to itself: {' > '.join(loop)}"))
    return found


def broken_dependents(model_id: str, models: Mapping[str, Model]) -> list[str]:
    """Descriptions of the virtual models that route to `model_id` and that `models`
    (the registry as a write would leave it) no longer serves. A loop the write makes
    runs through `model_id`, so it is reported there, not here."""
    broken = []
    for other in models.values():
        if other.virtual is None or other.id == model_id:
            continue
        if model_id not in (target for _, target in _targets(other)):
            continue
        for _, problem in graph_violations(other, models, loops=False):
            broken.append(f"virtual model {other.id!r} would break ({problem})")
    return broken


def _targets(rec: Model) -> list[tuple[str, str]]:
    """(field path, model id) of every target of a virtual model."""
    config = rec.virtual
    if config is None:
        return []
    found = [
        (f"virtual.rules[{i}].targets[{j}].model", t.model)
        for i, rule in enumerate(config.rules)
        for j, t in enumerate(rule.targets)
    ]
    if config.default_target:
        found.append(("virtual.default_target", config.default_target))
    return found


def _loop(start: str, models: Mapping[str, Model]) -> list[str]:
    """A path of virtual models from `start` back to it, or []."""
    path = [start]
    visited: set[str] = set()

    def walk(model_id: str) -> bool:
        model = models.get(model_id)
        if model is None or model.virtual is None:
            return False
        for _, target in _targets(model):
            if target == start:
                path.append(target)
                return True
            if target in visited:
                continue
            visited.add(target)
            path.append(target)
            if walk(target):
                return True
            path.pop()
        return False

    return path if walk(start) else []
