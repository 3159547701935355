"""System prompt templates: text with `{{variable}}` placeholders filled per call from
the call itself (the date, the caller's key and its labels, the call's tags), parsed
once per version of the model. A template names only known variables (checked when
the model is written); a value the call does not have renders empty. Values are
inserted as they are: nothing in them is read as a placeholder again."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from llmgateway.core.calls import Call

_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_SIMPLE = frozenset({"date", "time", "model", "key_id", "key_name"})
_PREFIXES = ("label.", "tag.")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class Template:
    __slots__ = ("_parts", "static")

    def __init__(self, source: str) -> None:
        """Raises ValueError naming the first unknown variable."""
        parts: list[tuple[str, str]] = []  # (text before, variable) ...; the last variable is ""
        pos = 0
        for match in _PLACEHOLDER.finditer(source):
            name = match.group(1)
            if not _known(name):
                raise ValueError(
                    f"{{{{{name}}}}} is not a template variable: use date, time, model, key_id, "
                    "key_name, label.NAME or tag.NAME"
                )
            parts.append((source[pos : match.start()], name))
            pos = match.end()
        parts.append((source[pos:], ""))
        self._parts = tuple(parts)
        self.static = source if len(parts) == 1 else None  # no variable: the text itself

    def render(self, model_id: str, call: Call) -> str:
        if self.static is not None:
            return self.static
        now = datetime.now(UTC)
        out = []
        for text, name in self._parts:
            out.append(text)
            if name:
                out.append(_value(name, model_id, call, now))
        return "".join(out)


def _known(name: str) -> bool:
    if name in _SIMPLE:
        return True
    prefix = next((p for p in _PREFIXES if name.startswith(p)), None)
    return prefix is not None and bool(_NAME.match(name[len(prefix) :]))


def _value(name: str, model_id: str, call: Call, now: datetime) -> str:
    principal = call.principal
    if name == "date":
        return now.strftime("%Y-%m-%d")
    if name == "time":
        return now.strftime("%H:%M")
    if name == "model":
        return model_id
    if name == "key_id":
        return principal.key_id if principal else ""
    if name == "key_name":
        return principal.name if principal else ""
    if name.startswith("label."):
        return principal.labels.get(name[6:], "") if principal else ""
    return call.tags.get(name[4:], "")
