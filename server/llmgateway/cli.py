"""The `llmgateway` command."""

from __future__ import annotations

import argparse
import asyncio
import sys

from pydantic import ValidationError

from llmgateway.config import Settings, load_settings
from llmgateway.server import serve
from llmgateway.telemetry.logs import configure_logging


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    if getattr(args, "address", None):
        settings.server.address = args.address
    if getattr(args, "log_level", None):
        settings.logging.level = args.log_level
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="llmgateway", description="gRPC gateway to LLM providers")
    parser.add_argument("--config", help="YAML settings file (also LLMGATEWAY_CONFIG_FILE)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run the gRPC server")
    serve_cmd.add_argument("--address", help="HOST:PORT to listen on (default 127.0.0.1:50051)")
    serve_cmd.add_argument("--log-level", help="DEBUG, INFO, WARNING, ...")
    serve_cmd.add_argument("--config", dest="config", default=argparse.SUPPRESS, help="YAML settings file")
    models_cmd = commands.add_parser("models", help="print the models the configuration serves")
    models_cmd.add_argument("--config", dest="config", default=argparse.SUPPRESS, help="YAML settings file")
    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
        configs = settings.model_configs()
    except (ValidationError, ValueError, OSError) as exc:
        print(f"llmgateway: invalid configuration: {exc}", file=sys.stderr)
        return 2
    if args.command == "models":
        for m in configs:
            caps = ",".join(sorted(c.value for c in m.capabilities))
            print(
                f"{m.id}\t{m.provider}\t{m.upstream_model}\t{caps}\t{'enabled' if m.enabled else 'disabled'}"
            )
        return 0
    configure_logging(settings.logging.level, settings.logging.format == "json")
    if settings.server.uvloop:
        try:
            import uvloop
        except ImportError:
            pass
        else:
            uvloop.run(serve(settings))
            return 0
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
