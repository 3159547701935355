"""CPU per call of the budgets policy, measured in-process (no server, no network).

  python bench/budget_cost.py [-n 100000]

Admits and settles a unary Chat of bench/fake (priced as in bench/gateway.yaml) under the
budgets of the `budgets-*` phases of run.sh (a daily global one, a monthly one per model),
with the in-process store, as the pipeline does for each call: the worst-case reservation
(prompt estimate, prices, both counters in one step), then the settle to the real cost.
Prints microseconds of process CPU per call: the figure the end-to-end benchmark
(`PHASES="aiohttp budgets-memory budgets-redis" bench/run.sh`) cannot resolve from its noise.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from decimal import Decimal

from llmgateway.budgets.memory import MemoryBudgetStore
from llmgateway.budgets.policy import BudgetPolicy
from llmgateway.budgets.settings import BudgetLimit, BudgetSettings
from llmgateway.core.budgets import Period
from llmgateway.core.calls import Call
from llmgateway.core.models import Model, Pricing
from llmgateway.core.pipeline import Outcome
from llmgateway.core.types import ChatRequest, GenerationConfig, Message, Role, TextPart, Usage

MODEL = Model(
    id="bench/fake",
    provider="openai",
    upstream_model="fake-model",
    pricing=Pricing(input_per_million=Decimal("2.5"), output_per_million=Decimal(10)),
)
LIMITS = [
    BudgetLimit(name="bench-day", limit=Decimal(10**9)),
    BudgetLimit(name="bench-model", scope="model", period=Period.MONTH, limit=Decimal(10**9)),
]
REQUEST = ChatRequest(
    model="bench/fake",
    messages=[Message(Role.USER, [TextPart("Say hello to the benchmark in twenty tokens, please.")])],
    generation=GenerationConfig(max_tokens=64),
)
USAGE = Usage(prompt_tokens=16, completion_tokens=20)


class OneModel:
    revision = "1"

    def get(self, model_id: str) -> Model | None:
        return MODEL if model_id == MODEL.id else None

    def list(self) -> list[Model]:
        return [MODEL]


async def calls(policy: BudgetPolicy, n: int) -> None:
    for _ in range(n):
        call = Call("Chat", "0123456789abcdef0123456789abcdef")
        await policy.admit(call, REQUEST)
        call.usage, call.pricing, call.first_event_at = USAGE, MODEL.pricing, 0.0
        await policy.settle(call, Outcome())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=100_000, help="calls per measurement")
    n = parser.parse_args().n
    policy = BudgetPolicy(MemoryBudgetStore(), OneModel(), BudgetSettings(limits=LIMITS))
    asyncio.run(calls(policy, 1000))  # warm the caches (windows, prices)
    start = time.process_time()
    asyncio.run(calls(policy, n))
    print(
        f"budgets (2 budgets, in-process): {(time.process_time() - start) / n * 1e6:.1f} µs of CPU per call"
    )


if __name__ == "__main__":
    main()
