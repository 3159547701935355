"""The edge's client address behind trusted proxies, and secure-by-default auth."""

from __future__ import annotations

from llmgateway.api.auth import EdgeAuth, _presented, networks
from llmgateway.config import AuthSettings, is_loopback
from llmgateway.core.calls import Call
from llmgateway.registry.keyring import KeyRing


def test_the_rightmost_untrusted_hop_is_the_client() -> None:
    auth = EdgeAuth(KeyRing(), required=False, trusted_proxies=networks(["10.0.0.0/8", "::1/128"]))
    peer = "ipv4:10.0.0.5:4000"
    assert auth._forwarded_client(peer, "198.51.100.9, 10.0.0.7") == "ipv4:198.51.100.9"
    assert auth._forwarded_client(peer, "spoofed, 203.0.113.1, 10.1.1.1") == "ipv4:203.0.113.1"
    assert auth._forwarded_client(peer, "2001:db8::5") == "ipv6:[2001:db8::5]"
    assert auth._forwarded_client(peer, "not-an-address") == peer
    assert auth._forwarded_client(peer, "10.0.0.8, 10.0.0.9") == peer  # only proxies: the peer
    assert auth._forwarded_client("ipv4:192.0.2.1:1", "198.51.100.9") == "ipv4:192.0.2.1:1"  # untrusted


def test_loopback_addresses_and_the_default_mode() -> None:
    for address in ("127.0.0.1:50051", "127.1.2.3:1", "[::1]:50051", "localhost:50051", "unix:/run/gw.sock"):
        assert is_loopback(address), address
        assert not AuthSettings().required_on(address)
    for address in ("0.0.0.0:50051", "[::]:50051", "10.0.0.1:50051", "gateway.internal:50051"):
        assert not is_loopback(address), address
        assert AuthSettings().required_on(address)
        assert not AuthSettings(mode="off").required_on(address)
    assert AuthSettings(mode="required").required_on("127.0.0.1:1")


def test_the_presented_key_and_the_forwarded_headers() -> None:
    assert _presented({"authorization": "Bearer  sk-a ", "x-api-key": "sk-b"}) == "sk-a"
    assert _presented({"authorization": "bearer sk-a"}) == "sk-a"
    assert _presented({"authorization": "Basic dXNlcg==", "x-api-key": " sk-b"}) == "sk-b"
    assert _presented({"user-agent": "grpc"}) == ""
    # Several x-forwarded-for entries are read as one list, in order.
    auth = EdgeAuth(KeyRing(), required=False, trusted_proxies=networks(["10.0.0.0/8"]))
    call = Call("Chat", "r", client="ipv4:10.0.0.5:4000")
    metadata = (("x-forwarded-for", "198.51.100.9"), ("user-agent", "grpc"), ("x-forwarded-for", "10.0.0.7"))
    auth.authenticate(metadata, call)
    assert call.client == "ipv4:198.51.100.9"
