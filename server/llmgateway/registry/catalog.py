"""The router's view of the registry: an immutable snapshot swapped atomically."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from llmgateway.core.models import Model
from llmgateway.registry.repository import Loaded

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every registry model (available or not) at one revision."""

    revision: int
    by_id: dict[str, Model]
    ordered: tuple[Model, ...]
    broken: tuple[tuple[str, str], ...] = ()  # rows that cannot be used: (id, why)


EMPTY = Snapshot(-1, {}, ())


def build_snapshot(loaded: Loaded) -> Snapshot:
    for model_id, why in loaded.broken:
        log.error("registry row %s cannot be used and is not served: %s", model_id, why)
    return Snapshot(
        loaded.revision,
        {m.id: m for m in loaded.models},
        tuple(sorted(loaded.models, key=lambda m: m.id)),
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

    def get(self, model_id: str) -> Model | None:
        return self._snapshot.by_id.get(model_id)

    def list(self) -> Sequence[Model]:
        return self._snapshot.ordered

    def swap(self, snapshot: Snapshot) -> bool:
        """Installs `snapshot` unless it is older than the current one."""
        if snapshot.revision < self._snapshot.revision:
            return False
        self._snapshot = snapshot
        self.revision = str(snapshot.revision)
        return True
