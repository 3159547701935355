"""CPU per call of an API key with three rate limits, measured in-process (no server,
no network).

  python bench/keys_cost.py [-n 100000]

For each call, through the edge's authentication and the pipeline themselves: the
`authorization` metadata is read and the key authenticated against the key ring, then
the `keys` policy (may the key use the model?) and the `limits` policy (requests,
tokens and calls in flight of the key, in the in-process limiter) admit and settle a
unary Chat. With auth off none of it runs (no policy: the service skips the pipeline).
Prints microseconds of process CPU per call: the figure the end-to-end benchmark
(`PHASES="aiohttp keys-memory keys-redis" MODES=unary bench/run.sh`) cannot resolve
from its noise. Issue 11's target: at most 50 µs per call in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from llmgateway.api.auth import EdgeAuth
from llmgateway.api.edge import Metadata
from llmgateway.core.access import KeyPermissions
from llmgateway.core.calls import Call
from llmgateway.core.limits import Limits
from llmgateway.core.pipeline import Outcome, Pipeline
from llmgateway.core.types import ChatRequest, GenerationConfig, Message, Role, TextPart, Usage
from llmgateway.limits.memory import MemoryLimiter
from llmgateway.limits.policy import RateLimitPolicy
from llmgateway.registry.keyring import KeyRing, build_entries
from llmgateway.registry.keys import ApiKeyRecord, KeyHasher

REQUEST = ChatRequest(
    model="bench/fake",
    messages=[Message(Role.USER, [TextPart("Say hello to the benchmark in twenty tokens, please.")])],
    generation=GenerationConfig(max_tokens=64),
)
USAGE = Usage(prompt_tokens=16, completion_tokens=20)
LIMITS = Limits(requests_per_minute=10**9, tokens_per_minute=10**12, concurrent_calls=10**6)


def key_ring() -> tuple[KeyRing, str]:
    hasher = KeyHasher("bench-key-hashing-secret")
    key_id, secret, digest = hasher.new_key()
    record = ApiKeyRecord(id=key_id, name="bench", digest=digest, allowed_models=("bench/*",), limits=LIMITS)
    ring = KeyRing(hasher)
    ring.swap(build_entries([record]))
    return ring, secret


async def calls(auth: EdgeAuth, metadata: Metadata, pipeline: Pipeline, n: int) -> None:
    for _ in range(n):
        call = Call("Chat", "0123456789abcdef0123456789abcdef")
        auth.authenticate(metadata, call)
        admitted, _, _ = await pipeline.admit(call, REQUEST)
        call.usage = USAGE
        await pipeline.settle(call, admitted, Outcome(complete=True))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="calls per measurement")
    n = parser.parse_args().n
    ring, secret = key_ring()
    auth = EdgeAuth(ring, required=True)
    # what a grpc client sends, as grpc.aio hands it over
    metadata = (
        ("user-agent", "grpc-python/1.7 grpc-c/4 (linux; chttp2)"),
        ("authorization", f"Bearer {secret}"),
    )
    pipeline = Pipeline([KeyPermissions(), RateLimitPolicy(MemoryLimiter(), Limits(), {})])
    asyncio.run(calls(auth, metadata, pipeline, 1000))  # warm the windows and caches
    start = time.process_time()
    asyncio.run(calls(auth, metadata, pipeline, n))
    per_call = (time.process_time() - start) / n * 1e6
    print(f"key + 3 limits (in-process): {per_call:.1f} µs of CPU per call")


if __name__ == "__main__":
    main()
