"""TLS and mutual TLS with certificates made on the spot by openssl."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import grpc
import pytest

from llmgateway.config import Settings
from llmgateway.server import start_server
from llmgateway.v1 import gateway_service_pb2_grpc
from tests.helpers import chat

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("pki")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=test-ca",
        cwd=d,
    )
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name in ("server", "client"):
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            f"{name}.key",
            "-out",
            f"{name}.csr",
            "-subj",
            f"/CN={name}",
            cwd=d,
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{name}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            f"{name}.pem",
            "-days",
            "1",
            "-extfile",
            "san.ext",
            cwd=d,
        )
    return d


async def _call(port: int, credentials: grpc.ChannelCredentials) -> str:
    async with grpc.aio.secure_channel(f"127.0.0.1:{port}", credentials) as channel:
        stub = gateway_service_pb2_grpc.GatewayServiceStub(channel)
        return (await stub.Chat(chat(), timeout=5)).message.content[0].text


async def test_tls(pki: Path) -> None:
    tls = {"cert_file": pki / "server.pem", "key_file": pki / "server.key"}
    running = await start_server(Settings(server={"address": "127.0.0.1:0", "tls": tls}))
    try:
        creds = grpc.ssl_channel_credentials(root_certificates=(pki / "ca.pem").read_bytes())
        assert (await _call(running.port, creds)).startswith("Echo:")
        with pytest.raises(grpc.aio.AioRpcError):  # plaintext is refused
            async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
                await gateway_service_pb2_grpc.GatewayServiceStub(channel).Chat(chat(), timeout=2)
    finally:
        await running.stop(0)


async def test_mutual_tls_requires_a_client_certificate(pki: Path) -> None:
    tls = {"cert_file": pki / "server.pem", "key_file": pki / "server.key", "client_ca_file": pki / "ca.pem"}
    running = await start_server(Settings(server={"address": "127.0.0.1:0", "tls": tls}))
    try:
        ca = (pki / "ca.pem").read_bytes()
        with_cert = grpc.ssl_channel_credentials(
            ca, (pki / "client.key").read_bytes(), (pki / "client.pem").read_bytes()
        )
        assert (await _call(running.port, with_cert)).startswith("Echo:")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await _call(running.port, grpc.ssl_channel_credentials(ca))
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        await running.stop(0)
