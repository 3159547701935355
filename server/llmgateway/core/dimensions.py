"""Embeddings come back with exactly the `dimensions` the caller asked for.

Upstreams differ: some honour `dimensions`, some ignore it, OpenAI-compatible
servers often drop it silently. A vector of another length would corrupt the
caller's index, so the answer is fitted here or refused: a longer vector is cut to
its prefix and renormalised when the model record says its prefixes keep their
meaning (`truncate_dimensions`, Matryoshka training); anything else is refused as
unsupported, naming `dimensions`.
"""

from __future__ import annotations

import math

from llmgateway.core.errors import GatewayError, Reason
from llmgateway.core.models import Model


def check_dimensions(dimensions: int | None, model: Model) -> None:
    """Refuses, before any upstream request, more dimensions than the model's vectors have."""
    native = model.embedding_dimensions
    if dimensions is not None and native and dimensions > native:
        raise _unsupported(model, f"model returns {native}-dimensional vectors; ask for at most {native}")


def fit_dimensions(vectors: list[list[float]], dimensions: int | None, model: Model) -> list[list[float]]:
    """`vectors` with exactly `dimensions` values each (unchanged when no length was asked)."""
    if dimensions is None or all(len(v) == dimensions for v in vectors):
        return vectors
    if not model.truncate_dimensions or any(len(v) < dimensions for v in vectors):
        lengths = sorted({len(v) for v in vectors})
        got = ", ".join(str(n) for n in lengths[:3])
        raise _unsupported(model, f"the upstream returned {got}-dimensional vectors, not {dimensions}")
    return [_truncated(v, dimensions) for v in vectors]


def _truncated(vector: list[float], dimensions: int) -> list[float]:
    prefix = vector[:dimensions]
    norm = math.hypot(*prefix)
    if norm == 0.0 or not math.isfinite(norm):
        return prefix
    return [x / norm for x in prefix]


def _unsupported(model: Model, description: str) -> GatewayError:
    return GatewayError(
        Reason.CAPABILITY_NOT_SUPPORTED,
        f"model {model.id!r} cannot answer these dimensions: {description}",
        metadata={"model": model.id, "capability": "dimensions"},
        field_violations=[("dimensions", description)],
    )
