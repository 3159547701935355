"""Protobuf <-> domain conversion of the data plane's model listing (ListModels)."""

from __future__ import annotations

from llmgateway.api import bounds
from llmgateway.core.models import Capability, Model
from llmgateway.core.virtual import ModelKind
from llmgateway.v1 import model_pb2

CAPABILITIES = {
    model_pb2.CAPABILITY_CHAT: Capability.CHAT,
    model_pb2.CAPABILITY_STREAM: Capability.STREAM,
    model_pb2.CAPABILITY_TOOLS: Capability.TOOLS,
    model_pb2.CAPABILITY_VISION: Capability.VISION,
    model_pb2.CAPABILITY_EMBED: Capability.EMBED,
    model_pb2.CAPABILITY_IMAGE: Capability.IMAGE,
    model_pb2.CAPABILITY_REASONING: Capability.REASONING,
    model_pb2.CAPABILITY_JSON_OUTPUT: Capability.JSON_OUTPUT,
    model_pb2.CAPABILITY_TRANSCRIBE: Capability.TRANSCRIBE,
    model_pb2.CAPABILITY_SPEECH: Capability.SPEECH,
}
_CAPABILITIES_OUT = {v: k for k, v in CAPABILITIES.items()}
_KINDS_OUT = {
    ModelKind.UPSTREAM: model_pb2.MODEL_KIND_UPSTREAM,
    ModelKind.VIRTUAL: model_pb2.MODEL_KIND_VIRTUAL,
}


def list_models_request(pb: model_pb2.ListModelsRequest) -> tuple[int, str, str, Capability | None]:
    """(page size, page token, provider filter, capability filter) of a ListModels call."""
    bounds.check_list_models(pb)
    return (
        min(pb.page_size, bounds.PAGE_SIZE),
        pb.page_token,
        pb.provider,
        CAPABILITIES.get(pb.capability),
    )


def model_out(m: Model) -> model_pb2.Model:
    return model_pb2.Model(
        id=m.id,
        provider=m.provider,
        display_name=m.display_name or m.id,
        capabilities=sorted(_CAPABILITIES_OUT[c] for c in m.capabilities),
        context_length=m.context_length,
        kind=_KINDS_OUT[m.kind],
        description=m.description,
    )
