"""The AdminService methods: registry CRUD and sync (API keys: admin_keys.py; the
usage ledger's QueryUsage: admin_usage.py). The edge wraps them like the data plane
(one call record, one error mapping, observers); this module adds the admin token
check (`authorization: Bearer <token>`) the edge runs first."""

from __future__ import annotations

import asyncio
import functools
import hmac

from google.protobuf import field_mask_pb2

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import model_pb2 as admin_model_pb2
from llmgateway.api import admin_convert, bounds
from llmgateway.api.admin_convert import OUTPUT_ONLY_FIELDS, WRITABLE_FIELDS
from llmgateway.api.admin_fields import page_after, update_paths
from llmgateway.api.admin_keys import ApiKeyMethods
from llmgateway.api.admin_usage import UsageMethods
from llmgateway.api.edge import Metadata
from llmgateway.api.model_convert import CAPABILITIES
from llmgateway.config import AdminSettings, read_secret
from llmgateway.core.calls import Call
from llmgateway.core.errors import GatewayError, Reason, invalid_request
from llmgateway.core.models import Model
from llmgateway.core.paging import encode_page_token
from llmgateway.core.secrets import SCRUBBER
from llmgateway.registry.runtime import Registry

ADMIN_SERVICE = pb.DESCRIPTOR.services_by_name["AdminService"]
_LISTING = "admin-models/v1"


def load_admin_token(settings: AdminSettings, environ: dict[str, str] | None = None) -> str:
    """The configured admin token ("" when none), registered with the scrubber.
    A set `token_file` must be readable."""
    token = read_secret(settings.token_env, settings.token_file, "admin.token", environ)
    SCRUBBER.add(token)
    return token


class AdminServicer(ApiKeyMethods, UsageMethods):
    def __init__(self, registry: Registry, token: str) -> None:
        self.registry = registry
        self._token = token.encode()

    def authenticate(self, metadata: Metadata, call: Call) -> None:
        if not self._token:
            raise GatewayError(
                Reason.ADMIN_DISABLED,
                "the Admin API is disabled: no admin token is configured on the server; set the "
                "environment variable named by admin.token_env (default LLMGATEWAY_ADMIN_TOKEN) or "
                "admin.token_file",
            )
        presented = b""
        for key, value in metadata:
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
        bounds.check_admin(request)
        record = admin_convert.model_from_proto(request.model)
        created = await self.registry.write(self.registry.repository.create, record)
        return pb.CreateModelResponse(model=admin_convert.model_to_proto(created))

    async def get_model(self, request: pb.GetModelRequest, call: Call) -> pb.GetModelResponse:
        call.target = request.id
        bounds.check_admin(request)
        if not request.id:
            raise invalid_request([("id", "is required")])
        record = await self.registry.db(self.registry.repository.get, request.id)
        return pb.GetModelResponse(model=admin_convert.model_to_proto(record))

    async def list_models(self, request: pb.ListModelsRequest, call: Call) -> pb.ListModelsResponse:
        bounds.check_admin(request)
        capability = CAPABILITIES.get(request.capability)
        size = min(request.page_size or bounds.ADMIN_PAGE_SIZE, bounds.ADMIN_PAGE_SIZE)
        page, more, revision = await self.registry.db(
            functools.partial(
                self.registry.repository.list,
                after=page_after(request.page_token, _LISTING, "ListModels"),
                limit=size,
                provider=request.provider,
                capability=capability,
                is_available=request.is_available if request.HasField("is_available") else None,
            )
        )
        reply = pb.ListModelsResponse(revision=revision)
        encoded = 0
        for model in page:
            # The largest model renders to about 1 MiB: a page stops at a byte budget well
            # inside a client's default 4 MiB message limit, and yields between models so
            # that rendering a page never holds the event loop for long.
            rendered = admin_convert.model_to_proto(model)
            encoded += rendered.ByteSize()
            if encoded > bounds.ADMIN_PAGE_BYTES and reply.models:
                more = True
                break
            reply.models.append(rendered)
            await asyncio.sleep(0)
        if more and reply.models:
            reply.next_page_token = encode_page_token(_LISTING, reply.models[-1].id)
        return reply

    async def update_model(self, request: pb.UpdateModelRequest, call: Call) -> pb.UpdateModelResponse:
        call.target = request.model.id
        bounds.check_admin(request)
        if not request.model.id:
            raise invalid_request([("model.id", "is required: it names the model to update")])
        paths = update_paths(request.update_mask, WRITABLE_FIELDS, OUTPUT_ONLY_FIELDS, admin_model_pb2.Model)
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
        bounds.check_admin(request)
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
