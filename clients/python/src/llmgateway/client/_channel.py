"""Channel options, credentials and per-call metadata shared by the sync and asyncio clients."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import grpc

from llmgateway.client.errors import REQUEST_ID_HEADER

PemLike: TypeAlias = bytes | str | os.PathLike[str]
"""PEM bytes, or the path of a PEM file."""
ServiceConfigLike: TypeAlias = Mapping[str, Any] | str | os.PathLike[str] | bool | None
"""A service config dict, a JSON file path, None/True for the bundled one, False for none."""
RequestIdLike: TypeAlias = str | Callable[[], str] | None
Metadata: TypeAlias = tuple[tuple[str, str | bytes], ...]
ChannelOptions: TypeAlias = Sequence[tuple[str, Any]]


def default_service_config() -> dict[str, Any]:
    """The bundled service config (a copy of `clients/service_config.json`): per-method
    deadlines and a retry on UNAVAILABLE for the unary methods."""
    text = resources.files("llmgateway.client").joinpath("service_config.json").read_text("utf-8")
    config: dict[str, Any] = json.loads(text)
    return config


def _service_config(value: ServiceConfigLike) -> dict[str, Any] | None:
    if value is None or value is True:
        return default_service_config()
    if value is False:
        return None
    if isinstance(value, Mapping):
        return dict(value)
    loaded: dict[str, Any] = json.loads(Path(value).read_text("utf-8"))
    return loaded


def channel_options(service_config: ServiceConfigLike, extra: ChannelOptions | None) -> list[tuple[str, Any]]:
    options: list[tuple[str, Any]] = []
    config = _service_config(service_config)
    if config is not None:
        options += [("grpc.service_config", json.dumps(config)), ("grpc.enable_retries", 1)]
    return options + list(extra or ())


def _pem(value: PemLike | None) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    return Path(value).read_bytes()


def make_credentials(
    secure: bool | None,
    root_certificates: PemLike | None,
    private_key: PemLike | None,
    certificate_chain: PemLike | None,
    channel_credentials: grpc.ChannelCredentials | None,
) -> grpc.ChannelCredentials | None:
    """TLS credentials, or None for a plaintext channel. TLS is on when `secure` is true or any
    certificate is given; with neither root certificates nor a custom CA the system roots are used."""
    if channel_credentials is not None:
        return channel_credentials
    pems = (root_certificates, private_key, certificate_chain)
    if secure is False or (secure is None and all(p is None for p in pems)):
        return None
    if (private_key is None) != (certificate_chain is None):
        raise ValueError("a client certificate needs both private_key and certificate_chain")
    return grpc.ssl_channel_credentials(_pem(root_certificates), _pem(private_key), _pem(certificate_chain))


class CallSettings:
    """Default metadata and timeout of a client, merged with per-call overrides."""

    def __init__(
        self,
        api_key: str | None,
        metadata: Mapping[str, str] | Sequence[tuple[str, str]] | None,
        request_id: RequestIdLike,
        timeout: float | None,
    ) -> None:
        items = list(metadata.items()) if isinstance(metadata, Mapping) else list(metadata or ())
        if api_key:
            items.append(("authorization", f"Bearer {api_key}"))
        self.metadata: list[tuple[str, str]] = [(k.lower(), v) for k, v in items]
        self.request_id = request_id
        self.timeout = timeout

    def call(
        self,
        timeout: float | None,
        metadata: Mapping[str, str] | Sequence[tuple[str, str]] | None,
        request_id: str | None,
    ) -> tuple[float | None, Metadata, str | None]:
        """The timeout, metadata and request id (sent as `x-request-id`, None when the gateway
        picks one) of one call."""
        rid = request_id
        if rid is None:
            rid = self.request_id() if callable(self.request_id) else self.request_id
        extra = list(metadata.items()) if isinstance(metadata, Mapping) else list(metadata or ())
        items: list[tuple[str, str | bytes]] = [*self.metadata, *((k.lower(), v) for k, v in extra)]
        if rid:
            items = [(k, v) for k, v in items if k != REQUEST_ID_HEADER] + [(REQUEST_ID_HEADER, rid)]
        return (timeout if timeout is not None else self.timeout), tuple(items), rid or None


def new_request_id() -> str:
    """A fresh random request id; pass `request_id=new_request_id` to send one on every call."""
    return uuid.uuid4().hex
