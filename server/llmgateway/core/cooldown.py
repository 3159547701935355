"""Per-deployment circuit breaker ("cooldown").

A deployment is CLOSED (in rotation) until `failures` failed calls in a row (no
success between them) fall within `window`; a success clears the count, so a
healthy deployment with rare errors never trips. It is then OPEN (skipped) for
`cooldown`; after that it is
HALF-OPEN: exactly one call may probe it. A successful probe closes it, a failed
one opens it again for another `cooldown`.

Only failures that say something about the deployment count (connection errors,
timeouts of the model's own budget, 429, 5xx); request errors never do. The clock
is injectable so the state machine is tested without sleeping.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from llmgateway.core.models import CooldownPolicy

Clock = Callable[[], float]


@dataclass(slots=True)
class _Breaker:
    failures: deque[float] = field(default_factory=deque)  # times of recent failures while closed
    open_until: float = 0.0  # 0: closed; else open until then, half-open after
    probing: bool = False  # the one half-open probe is in flight


class Cooldowns:
    """Breakers by deployment key. Keys that never failed cost one dict lookup."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock
        self._breakers: dict[str, _Breaker] = {}

    def state(self, key: str) -> str:
        """ "closed", "open" or "half_open" (for tests and introspection)."""
        b = self._breakers.get(key)
        if b is None or not b.open_until:
            return "closed"
        return "open" if self.clock() < b.open_until else "half_open"

    def available(self, key: str) -> bool:
        """Whether a call may go to this deployment now (does not reserve the probe)."""
        b = self._breakers.get(key)
        if b is None or not b.open_until:
            return True
        return self.clock() >= b.open_until and not b.probing

    def retry_in(self, key: str) -> float:
        """Seconds until the deployment may be probed again (0 when available)."""
        b = self._breakers.get(key)
        if b is None or not b.open_until:
            return 0.0
        return max(b.open_until - self.clock(), 0.0)

    def on_start(self, key: str) -> None:
        """A call goes to this deployment: if it is half-open, that call is the probe."""
        b = self._breakers.get(key)
        if b is not None and b.open_until and self.clock() >= b.open_until:
            b.probing = True

    def on_success(self, key: str) -> None:
        b = self._breakers.get(key)
        if b is not None and (not b.open_until or b.probing):
            del self._breakers[key]  # closed (or the probe succeeded): failure history forgotten

    def on_failure(self, key: str, policy: CooldownPolicy) -> None:
        now = self.clock()
        b = self._breakers.get(key)
        if b is None:
            b = self._breakers[key] = _Breaker()
        if b.open_until:
            if b.probing:  # the probe failed: another full cool-down
                b.probing = False
                b.open_until = now + policy.cooldown
            return  # a call started before the breaker opened: nothing new
        if policy.failures <= 0:
            return  # cooldown disabled
        b.failures.append(now)
        horizon = now - policy.window
        while b.failures and b.failures[0] < horizon:
            b.failures.popleft()
        if len(b.failures) >= policy.failures:
            b.failures.clear()
            b.open_until = now + policy.cooldown

    def on_neutral(self, key: str) -> None:
        """The call ended without a verdict (cancelled, request error): release the probe."""
        b = self._breakers.get(key)
        if b is not None and b.probing:
            b.probing = False
