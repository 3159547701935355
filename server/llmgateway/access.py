"""The wiring of API keys and rate limits: the data plane's authentication (secure by
default) and the factories of the built-in `keys` and `limits` policies."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from llmgateway.api.auth import EdgeAuth, networks
from llmgateway.config import Settings, is_loopback, read_secret
from llmgateway.core.access import KeyPermissions
from llmgateway.core.secrets import SCRUBBER
from llmgateway.limits.memory import MemoryLimiter
from llmgateway.limits.policy import RateLimitPolicy
from llmgateway.limits.redis import RedisLimiter
from llmgateway.registry.keys import KeyHasher
from llmgateway.registry.runtime import Registry

if TYPE_CHECKING:
    from llmgateway.components import Components

log = logging.getLogger("llmgateway.server")


def key_permissions(components: Components) -> KeyPermissions | None:
    s = components.settings
    return KeyPermissions() if s.auth.required_on(s.server.address) else None


def rate_limits(components: Components) -> RateLimitPolicy | None:
    """Counted in Redis when `redis.url` is set, else in this process. Not built when
    no limit can apply (auth off and no per-address or per-model limit)."""
    s = components.settings
    per_address = s.limits.per_address.to_limits()
    per_model = {m: v.to_limits() for m, v in s.limits.per_model.items() if v.to_limits()}
    if not (s.auth.required_on(s.server.address) or per_address or per_model):
        return None
    redis = components.redis
    metrics = components.access_metrics
    return RateLimitPolicy(
        RedisLimiter(redis) if redis is not None else MemoryLimiter(),
        per_address,
        per_model,
        fail_open=s.limits.failure_mode == "fail_open",
        default_completion_tokens=s.limits.default_completion_tokens,
        concurrency_retry_after_s=s.limits.concurrency_retry_after_s,
        on_unchecked=metrics.limits_unchecked if metrics is not None else None,
    )


def edge_auth(settings: Settings, registry: Registry) -> EdgeAuth | None:
    """The data plane's authentication (None when there is nothing to do per call).
    Refuses to start when keys are required but cannot be checked."""
    auth = settings.auth
    secret = read_secret(auth.key_secret_env, auth.key_secret_file, "auth.key_secret")
    SCRUBBER.add(secret)
    registry.keyring.hasher = KeyHasher(secret) if secret else None
    address = settings.server.address
    required = auth.required_on(address)
    if required and not secret:
        raise ValueError(
            f"API keys are required on {address} (auth.mode: {auth.mode or 'unset, not a loopback address'}) "
            f"but no key-hashing secret is configured: set the environment variable {auth.key_secret_env} "
            "(or auth.key_secret_file) and create keys with `llmgateway keys create`, or set auth.mode: off"
        )
    if not required and not is_loopback(address):
        log.warning("auth is off on a non-loopback address: anyone who reaches %s may call", address)
    trusted = networks(settings.limits.trusted_proxies)
    if not required and not trusted:
        return None
    return EdgeAuth(registry.keyring, required, trusted)
