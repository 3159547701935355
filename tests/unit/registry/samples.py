"""A model with every writable field set, shared by the registry tests."""

from __future__ import annotations

from decimal import Decimal

from llmgateway.core.errors import Reason
from llmgateway.core.models import (
    Capability,
    CooldownPolicy,
    Deployment,
    Model,
    Pricing,
    RetryPolicy,
    RoutingStrategy,
    TimeoutOverrides,
)

# Every price set (the currency too), so each round-trips.
FULL_PRICING = Pricing(
    currency="EUR",
    input_per_million=Decimal("0.15"),
    output_per_million=Decimal("0.6"),
    cached_input_per_million=Decimal("0.075"),
    cache_write_per_million=Decimal("0.1875"),
    reasoning_per_million=Decimal("0.9"),
    per_image={"1024x1024/hd": Decimal("0.08"), "*": Decimal("0.04")},
    audio_per_minute=Decimal("0.006"),
    speech_per_million_characters=Decimal("15"),
)
OPENAI = "llmgateway.providers.openai.OpenAIAdapter"
AZURE = "llmgateway.providers.openai.AzureOpenAIAdapter"


def full_record(model_id: str = "team/full") -> Model:
    return Model(
        id=model_id,
        provider="openai",
        upstream_model="gpt-4o-mini",
        adapter_class=OPENAI,
        base_url="https://llm.internal.example/v1",
        credential_ref="TEAM_OPENAI_API_KEY",
        display_name="Team model",
        context_length=128000,
        max_output_tokens=16384,
        capabilities=frozenset({Capability.CHAT, Capability.STREAM, Capability.TOOLS}),
        pricing=FULL_PRICING,
        fallbacks=("mock/echo", "openai/gpt-4o"),
        fallback_on=frozenset({Reason.CONTEXT_LENGTH_EXCEEDED}),
        is_available=True,
        timeouts=TimeoutOverrides(connect=2.0, first_token=None, idle=15.0, total=120.0),
        options={"max_tokens_field": "max_tokens"},
        weight=3.0,
        deployments=(
            Deployment(
                id="eu",
                provider="azure",
                upstream_model="gpt4o-eu",
                adapter_class=AZURE,
                base_url="https://eu.openai.azure.com",
                credential_ref="AZURE_EU_API_KEY",
                options={"api_version": "2024-10-21"},
                weight=1.0,
                pricing=Pricing(input_per_million=Decimal("0.000000000001"), output_per_million=Decimal(1)),
            ),
        ),
        routing=RoutingStrategy.LEAST_INFLIGHT,
        retry=RetryPolicy(max_retries=4, initial_backoff=0.1, max_backoff=2.0, multiplier=3.0),
        cooldown=CooldownPolicy(failures=5, window=10.0, cooldown=20.0),
    )
