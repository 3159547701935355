"""What identifies a cache entry: the caller's namespace, the resolved model and the
revision of its registry record, and the normalised request.

The key of a chat answer covers everything that shapes the answer (messages, tools,
tool choice, generation parameters, response format, parallel tool calls) and nothing
that does not (request id, deadline, tags, the end-user id, Chat vs StreamChat: both
share entries). An embedding's key is one input text with the model and dimensions, so
a batch reuses the vectors it already has. Keys are BLAKE2b digests of a canonical
encoding (orjson with sorted object keys; image bytes by their own digest), so a key's
length is bounded whatever the request's size.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from llmgateway.core.calls import Principal
from llmgateway.core.models import Model
from llmgateway.core.types import ChatRequest

CHAT_PREFIX = "c:"
EMBED_PREFIX = "e:"
_SHARED = "*"  # keys that share the cache; a key's own namespace is "k:<key id>"
_OPTIONS = orjson.OPT_SORT_KEYS


def namespace(principal: Principal | None) -> str:
    """Whose entries a call reads and writes: the caller's API key's own, the shared
    one for keys allowed to read it, or "" when the gateway does not authenticate."""
    if principal is None:
        return ""
    return _SHARED if principal.shared_cache else "k:" + principal.key_id


def model_revision(model: Model) -> str:
    """The revision of a model's registry record, as far as answers depend on it:
    repointing the model (another provider, upstream model, endpoint, adapter,
    deployments or adapter options) gives new keys, so old answers are not served.

    The one place that reads it: a digest of the routing facts, not the record's
    `revision`, which every edit moves (a price or a display name would then drop
    answers that cannot differ)."""
    deployments = [
        (d.id, d.provider, d.upstream_model, d.adapter_class, d.base_url, _adapter_options(d.options))
        for d in model.deployments
    ]
    facts = (
        model.provider,
        model.upstream_model,
        model.adapter_class,
        model.base_url,
        _adapter_options(model.options),
        deployments,
    )
    return hashlib.blake2b(orjson.dumps(facts, option=_OPTIONS), digest_size=8).hexdigest()


def _adapter_options(options: Any) -> dict[str, str]:
    # The cache's own options (llmgateway.cache.rules) do not change answers.
    return {k: v for k, v in options.items() if not k.startswith("cache")}


def _bytes_digest(value: Any) -> str:
    if isinstance(value, bytes):
        return hashlib.blake2b(value, digest_size=16).hexdigest()
    raise TypeError(f"{type(value).__name__} is not part of a request")


def chat_key(space: str, model_id: str, revision: str, req: ChatRequest) -> str:
    material = orjson.dumps(
        (
            space,
            model_id,
            revision,
            req.messages,
            req.tools,
            req.tool_choice,
            req.generation,
            req.response_format,
            req.parallel_tool_calls,
        ),
        default=_bytes_digest,
        option=_OPTIONS,
    )
    return CHAT_PREFIX + hashlib.blake2b(material, digest_size=20).hexdigest()


def embed_keys(
    space: str, model_id: str, revision: str, dimensions: int | None, inputs: list[str]
) -> list[str]:
    """One key per input, in order."""
    head = orjson.dumps((space, model_id, revision, dimensions))
    keys = []
    for text in inputs:
        digest = hashlib.blake2b(head, digest_size=20)
        digest.update(text.encode("utf-8", "surrogatepass"))
        keys.append(EMBED_PREFIX + digest.hexdigest())
    return keys
