"""The router's view of the registry: an immutable snapshot swapped atomically."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from llmgateway.core.deadline import Timeouts
from llmgateway.core.models import ModelConfig
from llmgateway.registry.repository import Loaded

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every registry model (available or not) at one revision."""

    revision: int
    by_id: dict[str, ModelConfig]
    ordered: tuple[ModelConfig, ...]
    broken: tuple[tuple[str, str], ...] = ()  # rows that could not be read: (id, why)


EMPTY = Snapshot(-1, {}, ())


def build_snapshot(loaded: Loaded, default_timeouts: Timeouts) -> Snapshot:
    configs = [rec.to_config(default_timeouts) for rec in loaded.models]
    for model_id, why in loaded.broken:
        log.error("registry row %s cannot be read and is not served: %s", model_id, why)
    return Snapshot(
        loaded.revision,
        {c.id: c for c in configs},
        tuple(sorted(configs, key=lambda c: c.id)),
        broken=tuple(loaded.broken),
    )


class SnapshotCatalog:
    """A ModelCatalog over the current snapshot. Reads are a dict lookup on an
    immutable object; `swap` replaces the reference (atomic under the GIL and
    on one event loop), so a call never sees half of an update."""

    def __init__(self, snapshot: Snapshot = EMPTY) -> None:
        self._snapshot = snapshot
        self.revision = str(snapshot.revision)  # read by every call (x-registry-revision)

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def get(self, model_id: str) -> ModelConfig | None:
        return self._snapshot.by_id.get(model_id)

    def list(self) -> Sequence[ModelConfig]:
        return self._snapshot.ordered

    def swap(self, snapshot: Snapshot) -> bool:
        """Installs `snapshot` unless it is older than the current one."""
        if snapshot.revision < self._snapshot.revision:
            return False
        self._snapshot = snapshot
        self.revision = str(snapshot.revision)
        return True
