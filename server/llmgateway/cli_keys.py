"""`llmgateway keys create|list|get|update|revoke`: API keys in the registry
database, like `llmgateway models` (no server needed). `create` prints the secret
alone on stdout, once: `KEY=$(llmgateway keys create --name billing)`."""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from llmgateway.config import Settings, read_secret
from llmgateway.core.errors import GatewayError
from llmgateway.core.limits import Limits
from llmgateway.registry import migrate
from llmgateway.registry.db import create_registry_engine
from llmgateway.registry.key_repository import KeyRepository
from llmgateway.registry.keys import ApiKeyRecord, KeyHasher, limits_to_json

_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def add_commands(keys_sub: Any, command: Any, database: Any) -> None:
    """The `keys` subcommands; `command(name, help, parent)` and `database(parser)`
    are the main parser's helpers."""

    def fields(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--name", help="a human-readable name")
        sub.add_argument("--label", action="append", metavar="KEY=VALUE", help="owner, team, ... (repeat)")
        sub.add_argument(
            "--expires", metavar="TIME", help="ISO time (2026-12-31T00:00:00Z) or a duration: 30d"
        )
        sub.add_argument(
            "--model", action="append", metavar="PATTERN", help="allowed model id or glob (repeat)"
        )
        sub.add_argument("--rpm", type=int, help="requests per minute (0: no limit)")
        sub.add_argument("--tpm", type=int, help="tokens per minute (0: no limit)")
        sub.add_argument("--concurrent", type=int, help="calls in flight (0: no limit)")
        sub.add_argument(
            "--model-limit",
            action="append",
            metavar="PATTERN:rpm=N,tpm=N,concurrent=N",
            help="this key's limits on the models PATTERN matches (repeat)",
        )
        sub.add_argument(
            "--shared-cache",
            action=argparse.BooleanOptionalAction,
            help="read and write the response cache's shared namespace (default: the key's own)",
        )

    create = command("create", "create a key and print its secret (shown once)", keys_sub)
    database(create)
    fields(create)
    create.add_argument("--disabled", action="store_true", help="create it disabled")
    listing = command("list", "print the keys", keys_sub)
    database(listing)
    listing.add_argument("--label", action="append", metavar="KEY=VALUE", help="only keys with this label")
    listing.add_argument("--show-revoked", action="store_true", help="include revoked keys")
    get = command("get", "print one key as JSON", keys_sub)
    database(get)
    get.add_argument("id")
    update = command("update", "change the given fields of a key", keys_sub)
    database(update)
    update.add_argument("id")
    fields(update)
    state = update.add_mutually_exclusive_group()
    state.add_argument("--disable", action="store_true", help="refuse the key until enabled")
    state.add_argument("--enable", action="store_true", help="accept the key again")
    update.add_argument("--etag", default="", help="only if the key still has this etag")
    revoke = command("revoke", "revoke a key for good", keys_sub)
    database(revoke)
    revoke.add_argument("id")
    revoke.add_argument("--etag", default="", help="only if the key still has this etag")


def run(settings: Settings, args: argparse.Namespace) -> int:
    action = getattr(args, "keys_command", None) or "list"
    engine = create_registry_engine(settings.registry.database_url)
    try:
        migrate.prepare(engine, settings.registry.auto_migrate)
        repository = KeyRepository(engine)
        if action == "create":
            return _create(settings, repository, args)
        if action == "list":
            return _list(repository, args)
        if action == "get":
            _print(repository.get(args.id))
        elif action == "update":
            _print(repository.update(args.id, lambda current: _changed(current, args), args.etag))
        else:
            _print(repository.revoke(args.id, args.etag))
        return 0
    except GatewayError as exc:
        detail = "; ".join(f"{f}: {d}" for f, d in exc.field_violations) or exc.message
        print(f"llmgateway: {exc.reason.value}: {detail}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"llmgateway: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


def _create(settings: Settings, repository: KeyRepository, args: argparse.Namespace) -> int:
    auth = settings.auth
    secret = read_secret(auth.key_secret_env, auth.key_secret_file, "auth.key_secret")
    if not secret:
        raise ValueError(
            f"no key-hashing secret: set the environment variable {auth.key_secret_env} (or "
            "auth.key_secret_file) to the same value the servers use"
        )
    key_id, key, digest = KeyHasher(secret).new_key()
    record = _changed(ApiKeyRecord(id=key_id, digest=digest, disabled=args.disabled), args)
    created = repository.create(record)
    print(
        f"created API key {created.id} ({created.name or 'no name'}); its secret follows, shown once",
        file=sys.stderr,
    )
    print(key)
    return 0


def _list(repository: KeyRepository, args: argparse.Namespace) -> int:
    labels = _labels(args.label) if args.label else None
    after = ""
    while True:
        page, more = repository.list(after=after, limit=500, labels=labels, show_revoked=args.show_revoked)
        for k in page:
            state = "revoked" if k.revoked_at else "disabled" if k.disabled else "active"
            expires = k.expire_time.isoformat() if k.expire_time else "never"
            models = ",".join(k.allowed_models) or "*"
            limits = ",".join(f"{n}={v}" for n, v in limits_to_json(k.limits).items()) or "-"
            print(f"{k.id}\t{k.name}\t{state}\texpires={expires}\tmodels={models}\tlimits={limits}")
        if not more or not page:
            return 0
        after = page[-1].id


def _changed(current: ApiKeyRecord, args: argparse.Namespace) -> ApiKeyRecord:
    """`current` with the fields the command line gives."""
    changes: dict[str, Any] = {}
    if args.name is not None:
        changes["name"] = args.name
    if args.label:
        changes["labels"] = _labels(args.label)
    if args.expires:
        changes["expire_time"] = _time(args.expires)
    if args.model:
        changes["allowed_models"] = tuple(args.model)
    if args.rpm is not None or args.tpm is not None or args.concurrent is not None:
        base = current.limits
        changes["limits"] = Limits(
            base.requests_per_minute if args.rpm is None else args.rpm,
            base.tokens_per_minute if args.tpm is None else args.tpm,
            base.concurrent_calls if args.concurrent is None else args.concurrent,
        )
    if args.model_limit:
        changes["model_limits"] = tuple(_model_limit(spec) for spec in args.model_limit)
    if args.shared_cache is not None:
        changes["shared_cache"] = args.shared_cache
    if getattr(args, "disable", False) or getattr(args, "enable", False):
        changes["disabled"] = bool(args.disable)
    return replace(current, **changes)


def _labels(items: list[str]) -> dict[str, str]:
    labels = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--label {item!r}: expected KEY=VALUE")
        labels[name] = value
    return labels


def _time(text: str) -> datetime:
    match = _DURATION.match(text)
    if match:
        return datetime.now(UTC) + timedelta(**{_UNITS[match[2]]: int(match[1])})
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--expires {text!r}: expected an ISO time or a duration such as 30d") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _model_limit(spec: str) -> tuple[str, Limits]:
    pattern, _, values = spec.rpartition(":")
    try:
        given = {k.strip(): int(v) for k, v in (item.split("=", 1) for item in values.split(",") if item)}
        limits = Limits(given.pop("rpm", 0), given.pop("tpm", 0), given.pop("concurrent", 0))
    except ValueError:
        given, limits = {"?": 0}, Limits()
    if not pattern or given:
        raise ValueError(f"--model-limit {spec!r}: expected PATTERN:rpm=N,tpm=N,concurrent=N")
    return pattern, limits


def _print(k: ApiKeyRecord) -> None:
    print(
        json.dumps(
            {
                "id": k.id,
                "name": k.name,
                "labels": dict(k.labels),
                "expire_time": k.expire_time.isoformat() if k.expire_time else None,
                "allowed_models": list(k.allowed_models),
                "limits": limits_to_json(k.limits),
                "model_limits": [{"model": m, **limits_to_json(lim)} for m, lim in k.model_limits],
                "disabled": k.disabled,
                "shared_cache": k.shared_cache,
                "create_time": k.created_at.isoformat() if k.created_at else None,
                "update_time": k.updated_at.isoformat() if k.updated_at else None,
                "revoke_time": k.revoked_at.isoformat() if k.revoked_at else None,
                "etag": k.etag,
            },
            indent=2,
        )
    )
