"""The AdminService servicer: registry CRUD and sync, guarded by the admin token
(`authorization: Bearer <token>`), with the data plane's google.rpc details."""

from __future__ import annotations

import functools
import hmac
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2, status_pb2
from sqlalchemy.exc import SQLAlchemyError

from llmgateway.admin.v1 import admin_service_pb2 as pb
from llmgateway.admin.v1 import admin_service_pb2_grpc
from llmgateway.admin.v1 import model_pb2 as admin_model_pb2
from llmgateway.api import admin_convert
from llmgateway.api.convert import CAPABILITIES
from llmgateway.api.status import DOMAIN
from llmgateway.config import AdminSettings
from llmgateway.core.errors import Reason
from llmgateway.core.paging import decode_page_token, encode_page_token
from llmgateway.core.secrets import SCRUBBER, scrub
from llmgateway.registry.records import OUTPUT_ONLY_FIELDS, WRITABLE_FIELDS, ModelRecord
from llmgateway.registry.repository import (
    EtagMismatch,
    InvalidModel,
    ModelExists,
    ModelNotFound,
    RegistryError,
)
from llmgateway.registry.runtime import Registry

log = logging.getLogger("llmgateway.admin")
ADMIN_SERVICE = pb.DESCRIPTOR.services_by_name["AdminService"].full_name
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_LISTING = "admin-models/v1"
Request = TypeVar("Request")
Response = TypeVar("Response")


class AdminFailure(Exception):
    """Ends an admin RPC with `code`, an ErrorInfo `reason` and field violations."""

    def __init__(
        self,
        code: grpc.StatusCode,
        reason: str,
        message: str,
        violations: list[tuple[str, str]] | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        # Scrubbed like every error a caller sees (a pasted key must not come back).
        self.code, self.reason, self.message = code, reason, scrub(message)
        self.violations = [(scrub(f), scrub(d)) for f, d in violations or ()]
        self.metadata = {k: scrub(v) for k, v in (metadata or {}).items()}

    def details(self) -> bytes:
        details = [error_details_pb2.ErrorInfo(reason=self.reason, domain=DOMAIN, metadata=self.metadata)]
        if self.violations:
            details.append(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(field=f, description=d)
                        for f, d in self.violations
                    ]
                )
            )
        status = status_pb2.Status(code=self.code.value[0], message=self.message)
        for detail in details:
            status.details.add().Pack(detail)
        serialized: bytes = status.SerializeToString()
        return serialized


def invalid(violations: list[tuple[str, str]]) -> AdminFailure:
    summary = "; ".join(f"{f}: {d}" for f, d in violations[:5])
    return AdminFailure(
        grpc.StatusCode.INVALID_ARGUMENT, Reason.INVALID_REQUEST, f"invalid request: {summary}", violations
    )


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


def _rpc(
    method: Callable[[AdminServicer, Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Response]],
) -> Callable[[AdminServicer, Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Response]]:
    """Authenticates, maps registry errors to statuses, and logs one audit line per call."""

    @functools.wraps(method)
    async def wrapper(
        self: AdminServicer, request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> Response:
        started = time.perf_counter()
        name = method.__name__
        target = getattr(request, "id", "") or getattr(getattr(request, "model", None), "id", "")
        try:
            self._authenticate(context)
            response = await method(self, request, context)
        except BaseException as exc:
            failure = _failure(exc, name)
            if failure is None:
                raise
            _audit(name, target, failure.code.name, failure.reason, started)
            await context.abort(
                failure.code,
                failure.message,
                trailing_metadata=(("grpc-status-details-bin", failure.details()),),
            )
        _audit(name, target, "OK", "", started)
        return response

    return wrapper


def _failure(exc: BaseException, method: str) -> AdminFailure | None:
    if isinstance(exc, AdminFailure):
        return exc
    if isinstance(exc, InvalidModel):
        return invalid(exc.violations)
    if isinstance(exc, ModelNotFound):
        return AdminFailure(grpc.StatusCode.NOT_FOUND, Reason.MODEL_NOT_FOUND, exc.message)
    if isinstance(exc, ModelExists):
        return AdminFailure(grpc.StatusCode.ALREADY_EXISTS, "MODEL_ALREADY_EXISTS", exc.message)
    if isinstance(exc, EtagMismatch):
        return AdminFailure(grpc.StatusCode.ABORTED, "ETAG_MISMATCH", exc.message)
    if isinstance(exc, RegistryError):
        return AdminFailure(grpc.StatusCode.FAILED_PRECONDITION, Reason.INTERNAL, exc.message)
    if isinstance(exc, SQLAlchemyError):
        log.error("admin %s: registry database error: %s", method, type(exc).__name__)
        return AdminFailure(
            grpc.StatusCode.UNAVAILABLE,
            "REGISTRY_UNAVAILABLE",
            "the registry database cannot be reached; the gateway keeps serving its last snapshot",
        )
    if isinstance(exc, Exception) and not isinstance(exc, grpc.aio.AbortError):
        log.exception("unexpected error in admin %s", method, exc_info=exc)
        return AdminFailure(grpc.StatusCode.INTERNAL, Reason.INTERNAL, "internal error")
    return None


def _audit(method: str, target: str, status: str, reason: str, started: float) -> None:
    log.info(
        "admin call",
        extra={
            "method": method,
            "model": target,
            "status": status,
            "reason": reason,
            "latency_ms": round((time.perf_counter() - started) * 1000.0, 2),
        },
    )


class AdminServicer(admin_service_pb2_grpc.AdminServiceServicer):
    def __init__(self, registry: Registry, token: str) -> None:
        self.registry = registry
        self._token = token.encode()

    def _authenticate(self, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        if not self._token:
            raise AdminFailure(
                grpc.StatusCode.PERMISSION_DENIED,
                "ADMIN_DISABLED",
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
            raise AdminFailure(
                grpc.StatusCode.UNAUTHENTICATED,
                Reason.API_KEY_INVALID,
                "the Admin API needs the admin token as `authorization: Bearer <token>` metadata",
            )

    @_rpc
    async def CreateModel(
        self, request: pb.CreateModelRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.CreateModelResponse:
        record = admin_convert.model_from_proto(request.model)
        created = await self.registry.write(self.registry.repository.create, record)
        return pb.CreateModelResponse(model=admin_convert.model_to_proto(created))

    @_rpc
    async def GetModel(
        self, request: pb.GetModelRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.GetModelResponse:
        if not request.id:
            raise invalid([("id", "is required")])
        record = await self.registry.db(self.registry.repository.get, request.id)
        return pb.GetModelResponse(model=admin_convert.model_to_proto(record))

    @_rpc
    async def ListModels(
        self, request: pb.ListModelsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.ListModelsResponse:
        if request.page_size < 0:
            raise invalid([("page_size", "must not be negative")])
        capability = None
        if request.capability:
            capability = CAPABILITIES.get(request.capability)
            if capability is None:
                raise invalid([("capability", "is not a known capability")])
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

    @_rpc
    async def UpdateModel(
        self, request: pb.UpdateModelRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.UpdateModelResponse:
        if not request.model.id:
            raise invalid([("model.id", "is required: it names the model to update")])
        paths = _update_paths(request.update_mask)
        mask = field_mask_pb2.FieldMask(paths=paths)
        source = request.model

        def change(current: ModelRecord) -> ModelRecord:
            merged = admin_convert.model_to_proto(current)
            mask.MergeMessage(source, merged, replace_message_field=True, replace_repeated_field=True)
            return admin_convert.model_from_proto(merged)

        fields = sorted({p.split(".", 1)[0] for p in paths})
        updated = await self.registry.write(
            self.registry.repository.update, request.model.id, change, fields, request.etag
        )
        return pb.UpdateModelResponse(model=admin_convert.model_to_proto(updated))

    @_rpc
    async def DeleteModel(
        self, request: pb.DeleteModelRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.DeleteModelResponse:
        if not request.id:
            raise invalid([("id", "is required")])
        revision = await self.registry.write(self.registry.repository.delete, request.id, request.etag)
        return pb.DeleteModelResponse(revision=revision)

    @_rpc
    async def SyncModels(
        self, request: pb.SyncModelsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> pb.SyncModelsResponse:
        try:
            report = await self.registry.sync(all_providers=request.all_providers, dry_run=request.dry_run)
        except ValueError as exc:  # the server's own `models:` configuration is invalid
            raise AdminFailure(
                grpc.StatusCode.FAILED_PRECONDITION, Reason.INVALID_REQUEST, f"configuration: {exc}"
            ) from None
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
        raise invalid([("update_mask", "is required: name the fields to change (or `*` for all)")])
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
        raise invalid(violations)
    return paths


def _valid_path(path: str) -> bool:
    descriptor: Any = admin_model_pb2.Model.DESCRIPTOR
    valid: bool = field_mask_pb2.FieldMask(paths=[path]).IsValidForDescriptor(descriptor)
    return valid


def _after(page_token: str) -> str:
    after = decode_page_token(_LISTING, page_token)
    if after is None:
        raise invalid([("page_token", "is not a token returned by ListModels")])
    return after
