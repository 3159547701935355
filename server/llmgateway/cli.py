"""The `llmgateway` command: serve, migrate, models list|sync, keys create|list|get|update|revoke,
usage."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from llmgateway import cli_keys, cli_usage
from llmgateway.config import ServerSettings, Settings, load_settings
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine, resolve_url, safe_url
from llmgateway.registry.discovery import discover
from llmgateway.registry.repository import Repository
from llmgateway.registry.runtime import RegistryUnavailable
from llmgateway.registry.sources import configured_models, sync_sources
from llmgateway.server import run
from llmgateway.telemetry.logs import configure_logging
from llmgateway.workers import Supervisor


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    if getattr(args, "address", None):
        settings.server.address = args.address
    if getattr(args, "log_level", None):
        settings.logging.level = args.log_level
    if getattr(args, "database_url", None):
        settings.registry.database_url = args.database_url
    if getattr(args, "workers", None):
        # validated like the setting: a positive number or "auto"
        settings.server.workers = ServerSettings.model_validate({"workers": args.workers}).workers
    return settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="llmgateway", description="gRPC gateway to LLM providers")
    parser.add_argument("--config", help="YAML settings file (also LLMGATEWAY_CONFIG_FILE)")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, text: str, parent: Any = None) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = (parent or commands).add_parser(name, help=text)
        sub.add_argument("--config", dest="config", default=argparse.SUPPRESS, help="YAML settings file")
        return sub

    def database(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--database-url",
            default=argparse.SUPPRESS,
            help="registry database URL (also LLMGATEWAY_REGISTRY__DATABASE_URL)",
        )

    serve_cmd = command("serve", "run the gRPC server")
    serve_cmd.add_argument("--address", help="HOST:PORT to listen on (default 127.0.0.1:50051)")
    serve_cmd.add_argument("--log-level", help="DEBUG, INFO, WARNING, ...")
    serve_cmd.add_argument(
        "--workers", help="server processes sharing the port: a number, or auto (one per usable CPU)"
    )
    database(serve_cmd)
    migrate_cmd = command("migrate", "upgrade the registry database schema")
    migrate_cmd.add_argument("--revision", default="head", help="target migration (default: head)")
    database(migrate_cmd)
    models_cmd = command("models", "list or sync the models of the registry")
    database(models_cmd)
    models_sub = models_cmd.add_subparsers(dest="models_command")
    database(command("list", "print every registry model (the default)", models_sub))
    sync_cmd = command("sync", "add/refresh models from the adapters and the `models:` config", models_sub)
    database(sync_cmd)
    sync_cmd.add_argument("--dry-run", action="store_true", help="report, write nothing")
    sync_cmd.add_argument(
        "--all-providers", action="store_true", help="include providers whose key variable is not set"
    )
    keys_cmd = command("keys", "manage API keys in the registry (see cli_keys.py)")
    database(keys_cmd)
    cli_keys.add_commands(keys_cmd.add_subparsers(dest="keys_command"), command, database)
    cli_usage.add_command(commands, command, database)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        configured_models(settings)  # refuse an invalid `models:` list before touching anything
    except (ValidationError, ValueError, OSError) as exc:
        print(f"llmgateway: invalid configuration: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "migrate":
            return _migrate(settings, args.revision)
        if args.command == "keys":
            return cli_keys.run(settings, args)
        if args.command == "usage":
            return cli_usage.run(settings, args)
        if args.command == "models":
            if getattr(args, "models_command", None) == "sync":
                return _sync(settings, args.dry_run, args.all_providers)
            return _list(settings)
        return _serve(settings)
    except ValueError as exc:  # a setting that cannot work, found at start (TLS files, auth)
        print(f"llmgateway: invalid configuration: {exc}", file=sys.stderr)
        return 2
    except migrate.SchemaError as exc:
        print(f"llmgateway: {exc}", file=sys.stderr)
        return 2
    except (RegistryUnavailable, SQLAlchemyError) as exc:
        message = str(exc) if isinstance(exc, RegistryUnavailable) else type(exc).__name__
        print(f"llmgateway: the registry database cannot be used: {message}", file=sys.stderr)
        return 1
    except OSError as exc:  # e.g. the metrics address is taken
        print(f"llmgateway: cannot start: {exc}", file=sys.stderr)
        return 1


def _serve(settings: Settings) -> int:
    json_lines = settings.logging.format == "json"
    workers = settings.server.worker_count()
    if workers > 1:
        configure_logging(settings.logging.level, json_lines, worker=0)
        return Supervisor(settings, workers).run()
    configure_logging(settings.logging.level, json_lines)
    run(settings)
    return 0


def _repository(settings: Settings) -> Repository:
    engine = create_registry_engine(settings.registry.database_url)
    migrate.prepare(engine, settings.registry.auto_migrate)
    return Repository(engine, settings.credential_policy())


def _migrate(settings: Settings, target: str) -> int:
    url = resolve_url(settings.registry.database_url)
    engine = create_registry_engine(url)
    try:
        before, after = migrate.upgrade(engine, target)
    finally:
        engine.dispose()
    if before == after:
        print(f"{safe_url(url)}: already at {after}")
    else:
        print(f"{safe_url(url)}: migrated from {before or 'empty'} to {after}")
    return 0


def _list(settings: Settings) -> int:
    repository = _repository(settings)
    try:
        loaded = repository.load()
    finally:
        repository.engine.dispose()
    for m in loaded.models:
        caps = ",".join(sorted(c.value for c in m.capabilities))
        state = "available" if m.is_available else "disabled"
        print(f"{m.id}\t{m.provider}\t{m.upstream_model}\t{caps}\t{state}")
    for model_id, why in loaded.broken:
        print(f"{model_id}\t(unreadable row: {why})")
    if not loaded.models:
        print("the registry is empty: run `llmgateway models sync`", file=sys.stderr)
    return 0


def _sync(settings: Settings, dry_run: bool, all_providers: bool) -> int:
    sources = sync_sources(settings, all_providers=all_providers, discovered=asyncio.run(discover(settings)))
    repository = _repository(settings)
    try:
        report = repository.sync(sources, dry_run=dry_run)
    finally:
        repository.engine.dispose()
    for label, ids in (("added", report.added), ("changed", report.changed), ("unchanged", report.unchanged)):
        for model_id in ids:
            print(f"{label}\t{model_id}")
    for model_id, field_path, description in report.errors:
        print(f"invalid\t{model_id}\t{field_path}: {description}")
    print(
        f"{'dry run: ' if dry_run else ''}revision {report.revision}: {len(report.added)} added, "
        f"{len(report.changed)} changed, {len(report.unchanged)} unchanged, "
        f"{len({e[0] for e in report.errors})} invalid",
        file=sys.stderr,
    )
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
