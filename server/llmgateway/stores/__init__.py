"""Shared state backends the policy slices use when replicas share them, and how a
built-in slice picks one from its settings section."""

from __future__ import annotations

from typing import Any


def settings_section(name: str, components: Any, options: dict[str, Any]) -> Any:
    """The `name:` settings section of a built-in policy or observer, which is configured
    there and takes no pipeline options."""
    if options:
        raise ValueError(
            f"the {name} component takes no pipeline options ({sorted(options)}); configure `{name}:`"
        )
    return getattr(components.settings, name)


def shared_redis(name: str, components: Any, backend: str, local: str) -> Any:
    """The server's Redis store when the slice keeps its state there: `redis.url` is set
    and `<name>.backend` is not `local` (its in-process or SQL backend). None otherwise;
    `backend: redis` without `redis.url` refuses to start."""
    redis = components.redis
    if backend == "redis" and redis is None:
        raise ValueError(f"{name}.backend is redis but redis.url is not set")
    return redis if backend != local else None
