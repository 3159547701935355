"""The AdminService methods: registry CRUD and sync. The edge wraps them like the
data plane (one call record, one error mapping, observers); this module adds the
admin token check (`authorization: Bearer <token>`) the edge runs first."""

from __future__ import annotations

import functools
import hmac
import os
from pathlib import Path
from typing import Any

from google.protobuf import field_mask_pb2

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_model_pb2
from llmgateway.api import admin_convert
from llmgateway.api.admin_convert import OUTPUT_ONLY_FIELDS, WRITABLE_FIELDS
from llmgateway.api.convert import CAPABILITIES
from llmgateway.api.edge import Context
from llmgateway.config import AdminSettings
from llmgateway.core.calls import Call
from llmgateway.core.errors import GatewayError, Reason, invalid_request
from llmgateway.core.models import Model
from llmgateway.core.paging import decode_page_token, encode_page_token
from llmgateway.core.secrets import SCRUBBER
from llmgateway.registry.runtime import Registry

ADMIN_SERVICE = pb.DESCRIPTOR.services_by_name["AdminService"]
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_LISTING = "admin-models/v1"


def load_admin_token(settings: AdminSettings, environ: dict[str, str] | None = None) -> str:
    """The configured admin token ("" when none), registered with the scrubber.
    A set `token_file` must be readable."""
    if settings.token_file is not None:
        try:
            token = Path(settings.token_file).read_text().strip()
        except OSError as exc:
            raise ValueError(f"admin.token_file cannot be read: {exc.strerror}") from None
    else:
        env = os.environ if environ is None else environ
        token = env.get(settings.token_env, "").strip() if settings.token_env else ""
    SCRUBBER.add(token)
    return token


class AdminServicer:
    def __init__(self, registry: Registry, token: str) -> None:
        self.registry = registry
        self._token = token.encode()

    def authenticate(self, context: Context, call: Call) -> None:
        if not self._token:
            raise GatewayError(
                Reason.ADMIN_DISABLED,
                "the Admin API is disabled: no admin token is configured on the server; set the "
                "environment variable named by admin.token_env (default LLMGATEWAY_ADMIN_TOKEN) or "
                "admin.token_file",
            )
        presented = b""
        for key, value in context.invocation_metadata() or ():
            if key == "authorization":
                text = value.decode() if isinstance(value, bytes) else value
                scheme, _, credential = text.partition(" ")
                if scheme.lower() == "bearer":
                    presented = credential.strip().encode()
        if not presented or not hmac.compare_digest(presented, self._token):
            raise GatewayError(
                Reason.API_KEY_INVALID,
                "the Admin API needs the admin token as `authorization: Bearer <token>` metadata",
            )

    async def create_model(self, request: pb.CreateModelRequest, call: Call) -> pb.CreateModelResponse:
        call.target = request.model.id
        record = admin_convert.model_from_proto(request.model)
        created = await self.registry.write(self.registry.repository.create, record)
        return pb.CreateModelResponse(model=admin_convert.model_to_proto(created))

    async def get_model(self, request: pb.GetModelRequest, call: Call) -> pb.GetModelResponse:
        call.target = request.id
        if not request.id:
            raise invalid_request([("id", "is required")])
        record = await self.registry.db(self.registry.repository.get, request.id)
        return pb.GetModelResponse(model=admin_convert.model_to_proto(record))

    async def list_models(self, request: pb.ListModelsRequest, call: Call) -> pb.ListModelsResponse:
        if request.page_size < 0:
            raise invalid_request([("page_size", "must not be negative")])
        capability = None
        if request.capability:
            capability = CAPABILITIES.get(request.capability)
            if capability is None:
                raise invalid_request([("capability", "is not a known capability")])
        size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        page, more, revision = await self.registry.db(
            functools.partial(
                self.registry.repository.list,
                after=_after(request.page_token),
                limit=size,
                provider=request.provider,
                capability=capability,
                is_available=request.is_available if request.HasField("is_available") else None,
            )
        )
        return pb.ListModelsResponse(
            models=[admin_convert.model_to_proto(m) for m in page],
            next_page_token=encode_page_token(_LISTING, page[-1].id) if more and page else "",
            revision=revision,
        )

    async def update_model(self, request: pb.UpdateModelRequest, call: Call) -> pb.UpdateModelResponse:
        call.target = request.model.id
        if not request.model.id:
            raise invalid_request([("model.id", "is required: it names the model to update")])
        paths = _update_paths(request.update_mask)
        mask = field_mask_pb2.FieldMask(paths=paths)
        source = request.model

        def change(current: Model) -> Model:
            merged = admin_convert.model_to_proto(current)
            mask.MergeMessage(source, merged, replace_message_field=True, replace_repeated_field=True)
            return admin_convert.model_from_proto(merged)

        fields = sorted({p.split(".", 1)[0] for p in paths})
        updated = await self.registry.write(
            self.registry.repository.update, request.model.id, change, fields, request.etag
        )
        return pb.UpdateModelResponse(model=admin_convert.model_to_proto(updated))

    async def delete_model(self, request: pb.DeleteModelRequest, call: Call) -> pb.DeleteModelResponse:
        call.target = request.id
        if not request.id:
            raise invalid_request([("id", "is required")])
        revision = await self.registry.write(self.registry.repository.delete, request.id, request.etag)
        return pb.DeleteModelResponse(revision=revision)

    async def sync_models(self, request: pb.SyncModelsRequest, call: Call) -> pb.SyncModelsResponse:
        try:
            report = await self.registry.sync(all_providers=request.all_providers, dry_run=request.dry_run)
        except ValueError as exc:  # the server's own `models:` configuration is invalid
            raise GatewayError(Reason.CONFIGURATION_INVALID, f"configuration: {exc}") from None
        return pb.SyncModelsResponse(
            added=report.added,
            changed=report.changed,
            unchanged=report.unchanged,
            errors=[pb.SyncError(id=i, field=f, description=d) for i, f, d in report.errors],
            revision=report.revision,
        )


def _update_paths(mask: field_mask_pb2.FieldMask) -> list[str]:
    paths = list(mask.paths)
    if not paths:
        raise invalid_request([("update_mask", "is required: name the fields to change (or `*` for all)")])
    if paths == ["*"]:
        return list(WRITABLE_FIELDS)
    violations = []
    for path in paths:
        top = path.split(".", 1)[0]
        if top == "id":
            violations.append(("update_mask", "`id` cannot change; create a new model instead"))
        elif top in OUTPUT_ONLY_FIELDS:
            violations.append(("update_mask", f"`{path}` is output only"))
        elif top not in WRITABLE_FIELDS or not _valid_path(path):
            violations.append(("update_mask", f"`{path}` is not a field of Model"))
    if violations:
        raise invalid_request(violations)
    return paths


def _valid_path(path: str) -> bool:
    descriptor: Any = admin_model_pb2.Model.DESCRIPTOR
    valid: bool = field_mask_pb2.FieldMask(paths=[path]).IsValidForDescriptor(descriptor)
    return valid


def _after(page_token: str) -> str:
    after = decode_page_token(_LISTING, page_token)
    if after is None:
        raise invalid_request([("page_token", "is not a token returned by ListModels")])
    return after
