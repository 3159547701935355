"""Authentication at the edge of the data plane: the API key a call presents
(`authorization: Bearer <key>` or `x-api-key: <key>`) becomes `call.principal`;
and, behind a trusted proxy, `x-forwarded-for` names the client address.

Secure by default: with `auth.mode` unset, auth is off only when the server
listens on a loopback address; any other address requires a key unless the
operator turns auth off explicitly (and is warned at start)."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping, Sequence

from llmgateway.api.edge import Metadata
from llmgateway.core.calls import Call, client_ip
from llmgateway.core.errors import GatewayError, Reason
from llmgateway.registry.keyring import Failure, KeyRing

log = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_FORWARDED_HOPS = 16
INVALID_KEY_MESSAGE = (
    "a valid API key is required: send it as `authorization: Bearer <key>` or `x-api-key: <key>` metadata"
)


def networks(cidrs: Sequence[str]) -> tuple[Network, ...]:
    """Parses `limits.trusted_proxies`; raises ValueError naming a bad entry."""
    parsed = []
    for cidr in cidrs:
        try:
            parsed.append(ipaddress.ip_network(cidr, strict=False))
        except ValueError:
            raise ValueError(f"limits.trusted_proxies: {cidr!r} is not an address or network") from None
    return tuple(parsed)


class EdgeAuth:
    """The data plane's authenticate hook (Edge.bind(authenticate=...))."""

    def __init__(
        self,
        keyring: KeyRing,
        required: bool,
        trusted_proxies: Sequence[Network] = (),
        on_failure: Callable[[Failure], None] | None = None,
    ) -> None:
        self.keyring = keyring
        self.required = required
        self.trusted_proxies = tuple(trusted_proxies)
        self.on_failure = on_failure

    def authenticate(self, metadata: Metadata, call: Call) -> None:
        headers = dict(metadata)  # one C call; only x-forwarded-for may repeat (read below)
        if self.trusted_proxies and "x-forwarded-for" in headers:
            forwarded = ",".join(v for k, v in metadata if k == "x-forwarded-for" and isinstance(v, str))
            call.client = self._forwarded_client(call.client, forwarded)
        if not self.required:
            return
        presented = _presented(headers)
        result = self.keyring.authenticate(presented) if presented else Failure.MISSING
        if isinstance(result, Failure):
            if self.on_failure is not None:
                self.on_failure(result)
            raise GatewayError(Reason.API_KEY_INVALID, INVALID_KEY_MESSAGE)
        call.principal = result

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted_proxies)

    def _forwarded_client(self, peer: str, header: str) -> str:
        """The rightmost address of `x-forwarded-for` that is not a trusted proxy,
        when the peer itself is one; else the peer as it is."""
        if not self._trusted(client_ip(peer)):
            return peer
        hops = [h.strip() for h in header.split(",")][-MAX_FORWARDED_HOPS:]
        for hop in reversed(hops):
            try:
                ip = ipaddress.ip_address(hop)
            except ValueError:
                return peer  # a malformed hop: trust nothing further left
            if not self._trusted(hop):
                return f"ipv4:{ip}" if ip.version == 4 else f"ipv6:[{ip}]"
        return peer


def _presented(headers: Mapping[str, str | bytes]) -> str:
    """The key a call presents: `authorization: Bearer <key>`, else `x-api-key`.
    grpc hands over the values of these (not `-bin`) keys as str."""
    value = headers.get("authorization")
    if isinstance(value, str):
        scheme, _, credential = value.partition(" ")
        if scheme.lower() == "bearer":
            return credential.strip()
    value = headers.get("x-api-key")
    return value.strip() if isinstance(value, str) else ""
