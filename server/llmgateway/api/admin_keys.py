"""The Admin API's API-key methods (a mixin of AdminServicer) and the conversion
between the `ApiKey` message and the registry's `ApiKeyRecord`. No method ever
returns a secret except CreateApiKey, once."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import UTC, datetime

from google.protobuf import field_mask_pb2, timestamp_pb2

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import api_key_pb2
from llmgateway.api.admin_fields import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_after, update_paths
from llmgateway.core.calls import Call
from llmgateway.core.errors import GatewayError, Reason, invalid_request
from llmgateway.core.limits import Limits
from llmgateway.core.paging import encode_page_token
from llmgateway.registry import keys
from llmgateway.registry.keys import ApiKeyRecord, KeyHasher
from llmgateway.registry.runtime import Registry

_LISTING = "admin-keys/v1"


class ApiKeyMethods:
    registry: Registry

    async def create_api_key(self, request: pb.CreateApiKeyRequest, call: Call) -> pb.CreateApiKeyResponse:
        hasher = _hasher(self.registry)
        record = key_from_proto(request.api_key)
        key_id, secret, digest = hasher.new_key()
        call.target = key_id
        created = await self.registry.write(
            self.registry.key_repository.create, replace(record, id=key_id, digest=digest)
        )
        return pb.CreateApiKeyResponse(api_key=key_to_proto(created), secret=secret)

    async def get_api_key(self, request: pb.GetApiKeyRequest, call: Call) -> pb.GetApiKeyResponse:
        call.target = _key_id(request.id, "id")
        record = await self.registry.db(self.registry.key_repository.get, request.id)
        return pb.GetApiKeyResponse(api_key=key_to_proto(record))

    async def list_api_keys(self, request: pb.ListApiKeysRequest, call: Call) -> pb.ListApiKeysResponse:
        if request.page_size < 0:
            raise invalid_request([("page_size", "must not be negative")])
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        if len(request.labels) > keys.MAX_LABELS:
            raise invalid_request([("labels", f"at most {keys.MAX_LABELS} labels")])
        page, more = await self.registry.db(
            functools.partial(
                self.registry.key_repository.list,
                after=page_after(request.page_token, _LISTING, "ListApiKeys"),
                limit=size,
                labels=dict(request.labels),
                show_revoked=request.show_revoked,
                disabled=request.disabled if request.HasField("disabled") else None,
            )
        )
        return pb.ListApiKeysResponse(
            api_keys=[key_to_proto(k) for k in page],
            next_page_token=encode_page_token(_LISTING, page[-1].id) if more and page else "",
        )

    async def update_api_key(self, request: pb.UpdateApiKeyRequest, call: Call) -> pb.UpdateApiKeyResponse:
        call.target = _key_id(request.api_key.id, "api_key.id")
        paths = update_paths(
            request.update_mask, keys.WRITABLE_FIELDS, keys.OUTPUT_ONLY_FIELDS, api_key_pb2.ApiKey
        )
        mask = field_mask_pb2.FieldMask(paths=paths)
        source = request.api_key

        def change(current: ApiKeyRecord) -> ApiKeyRecord:
            merged = key_to_proto(current)
            mask.MergeMessage(source, merged, replace_message_field=True, replace_repeated_field=True)
            return key_from_proto(merged)

        updated = await self.registry.write(
            self.registry.key_repository.update, request.api_key.id, change, request.etag
        )
        return pb.UpdateApiKeyResponse(api_key=key_to_proto(updated))

    async def revoke_api_key(self, request: pb.RevokeApiKeyRequest, call: Call) -> pb.RevokeApiKeyResponse:
        call.target = _key_id(request.id, "id")
        revoked = await self.registry.write(self.registry.key_repository.revoke, request.id, request.etag)
        return pb.RevokeApiKeyResponse(api_key=key_to_proto(revoked))


def _hasher(registry: Registry) -> KeyHasher:
    hasher = registry.keyring.hasher
    if hasher is None:
        raise GatewayError(
            Reason.API_KEYS_DISABLED,
            "API keys are disabled: no key-hashing secret is configured on the server; set the environment "
            "variable named by auth.key_secret_env (default LLMGATEWAY_KEY_SECRET) or auth.key_secret_file",
        )
    return hasher


def _key_id(key_id: str, field: str) -> str:
    if not key_id:
        raise invalid_request([(field, "is required")])
    if not keys.ID.match(key_id):
        raise invalid_request([(field, f"is not a key id ({keys.ID_HEX} lowercase hex digits)")])
    return key_id


def key_to_proto(rec: ApiKeyRecord) -> api_key_pb2.ApiKey:
    return api_key_pb2.ApiKey(
        id=rec.id,
        name=rec.name,
        labels=dict(rec.labels),
        expire_time=_timestamp(rec.expire_time),
        allowed_models=list(rec.allowed_models),
        limits=_limits_to_proto(rec.limits),
        model_limits=[
            api_key_pb2.ModelRateLimits(model=m, limits=_limits_to_proto(lim)) for m, lim in rec.model_limits
        ],
        disabled=rec.disabled,
        shared_cache=rec.shared_cache,
        create_time=_timestamp(rec.created_at),
        update_time=_timestamp(rec.updated_at),
        revoke_time=_timestamp(rec.revoked_at),
        etag=rec.etag,
    )


def key_from_proto(msg: api_key_pb2.ApiKey, prefix: str = "api_key") -> ApiKeyRecord:
    """The writable fields of `msg`, validated (INVALID_REQUEST naming each bad field)."""
    expire_time = None
    violations: list[tuple[str, str]] = []
    if msg.HasField("expire_time"):
        try:
            expire_time = msg.expire_time.ToDatetime(tzinfo=UTC)
        except (ValueError, OverflowError):
            violations.append((f"{prefix}.expire_time", "is not a valid time"))
    record = ApiKeyRecord(
        name=msg.name,
        labels=dict(msg.labels),
        expire_time=expire_time,
        allowed_models=tuple(msg.allowed_models),
        limits=_limits_from_proto(msg.limits),
        model_limits=tuple((m.model, _limits_from_proto(m.limits)) for m in msg.model_limits),
        disabled=msg.disabled,
        shared_cache=msg.shared_cache,
    )
    violations += keys.validate(record, prefix)
    if violations:
        raise invalid_request(violations)
    return record


def _timestamp(value: datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    out = timestamp_pb2.Timestamp()
    out.FromDatetime(value)
    return out


def _limits_to_proto(limits: Limits) -> api_key_pb2.RateLimits:
    return api_key_pb2.RateLimits(
        requests_per_minute=limits.requests_per_minute,
        tokens_per_minute=limits.tokens_per_minute,
        concurrent_calls=limits.concurrent_calls,
    )


def _limits_from_proto(msg: api_key_pb2.RateLimits) -> Limits:
    return Limits(msg.requests_per_minute, msg.tokens_per_minute, msg.concurrent_calls)
