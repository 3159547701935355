"""OpenAI-compatible vendors as data: a provider kind that names one of these presets is
served by the OpenAI adapter with the preset's endpoint, key variable, adapter options and
known models, so that a model of theirs is one line of YAML:

    models:
      - {id: deepseek/deepseek-chat, provider: deepseek, upstream_model: deepseek-chat}

works with only DEEPSEEK_API_KEY set. A model's own `base_url`, `credential_ref` and
`options` override the preset's; a model with its own `base_url` uses exactly the credential
it names, or none.

Adapter options used here (see OpenAIAdapter): `max_tokens_field` (the token-limit field
the vendor expects), `reasoning_param` (how to ask for reasoning: `reasoning_effort`,
OpenRouter's `reasoning` object, Qwen's `enable_thinking`, or `none` when the model
decides), `send_top_k` (`false` where unknown fields are rejected). Reasoning comes back
as `reasoning_content` or `reasoning`, which the adapter reads from every vendor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from llmgateway.core.models import CHAT_CAPABILITIES, Capability, ModelSpec
from llmgateway.core.secrets import default_credential

OPENAI_ADAPTER = "llmgateway.providers.openai.OpenAIAdapter"

_CHAT = CHAT_CAPABILITIES
_TEXT = CHAT_CAPABILITIES - {Capability.VISION}
_REASONING = _TEXT | {Capability.REASONING}
_EMBED = frozenset({Capability.EMBED})


@dataclass(frozen=True, slots=True)
class Preset:
    base_url: str
    credential_env: str  # "" for servers that need no key (a model may still name one)
    options: Mapping[str, str] = field(default_factory=dict)
    models: tuple[ModelSpec, ...] = ()
    adapter_class: str = OPENAI_ADAPTER


def _m(name: str, caps: frozenset[Capability], context: int, display: str) -> ModelSpec:
    return ModelSpec(name, caps, context, display)


PRESETS: dict[str, Preset] = {
    "deepseek": Preset(
        "https://api.deepseek.com/v1",
        "DEEPSEEK_API_KEY",
        {"max_tokens_field": "max_tokens", "reasoning_param": "none", "send_top_k": "false"},
        (
            _m("deepseek-chat", _TEXT, 128_000, "DeepSeek-V3 chat"),
            _m("deepseek-reasoner", _REASONING, 128_000, "DeepSeek reasoner"),
        ),
    ),
    "mistral": Preset(
        "https://api.mistral.ai/v1",
        "MISTRAL_API_KEY",
        {"max_tokens_field": "max_tokens", "reasoning_param": "none", "send_top_k": "false"},
        (
            _m("mistral-large-latest", _CHAT, 128_000, "Mistral Large"),
            _m("mistral-medium-latest", _CHAT, 128_000, "Mistral Medium"),
            _m("mistral-small-latest", _CHAT, 128_000, "Mistral Small"),
            _m("magistral-medium-latest", _REASONING, 128_000, "Magistral Medium"),
            _m("codestral-latest", _TEXT, 256_000, "Codestral"),
            _m("mistral-embed", _EMBED, 8_192, "Mistral Embed"),
        ),
    ),
    "groq": Preset(
        "https://api.groq.com/openai/v1",
        "GROQ_API_KEY",
        {"max_tokens_field": "max_completion_tokens", "send_top_k": "false"},
        (
            _m("llama-3.3-70b-versatile", _TEXT, 131_072, "Llama 3.3 70B (Groq)"),
            _m("llama-3.1-8b-instant", _TEXT, 131_072, "Llama 3.1 8B (Groq)"),
            _m("openai/gpt-oss-120b", _REASONING, 131_072, "gpt-oss-120b (Groq)"),
            _m("openai/gpt-oss-20b", _REASONING, 131_072, "gpt-oss-20b (Groq)"),
            _m("qwen/qwen3-32b", _REASONING, 131_072, "Qwen3 32B (Groq)"),
        ),
    ),
    "together": Preset(
        "https://api.together.xyz/v1",
        "TOGETHER_API_KEY",
        {"max_tokens_field": "max_tokens"},
        (
            _m("meta-llama/Llama-3.3-70B-Instruct-Turbo", _TEXT, 131_072, "Llama 3.3 70B Turbo (Together)"),
            _m("deepseek-ai/DeepSeek-R1", _REASONING, 163_840, "DeepSeek R1 (Together)"),
            _m("Qwen/Qwen2.5-72B-Instruct-Turbo", _TEXT, 32_768, "Qwen2.5 72B Turbo (Together)"),
            _m("openai/gpt-oss-120b", _REASONING, 131_072, "gpt-oss-120b (Together)"),
        ),
    ),
    "openrouter": Preset(
        "https://openrouter.ai/api/v1",
        "OPENROUTER_API_KEY",
        {"max_tokens_field": "max_tokens", "reasoning_param": "reasoning"},
        (
            _m("openai/gpt-4o-mini", _CHAT, 128_000, "GPT-4o mini (OpenRouter)"),
            _m(
                "anthropic/claude-sonnet-4.5",
                _CHAT | {Capability.REASONING},
                1_000_000,
                "Claude Sonnet 4.5 (OpenRouter)",
            ),
            _m(
                "google/gemini-2.5-flash",
                _CHAT | {Capability.REASONING},
                1_048_576,
                "Gemini 2.5 Flash (OpenRouter)",
            ),
            _m("deepseek/deepseek-r1", _REASONING, 163_840, "DeepSeek R1 (OpenRouter)"),
            _m("meta-llama/llama-3.3-70b-instruct", _TEXT, 131_072, "Llama 3.3 70B (OpenRouter)"),
        ),
    ),
    "xai": Preset(
        "https://api.x.ai/v1",
        "XAI_API_KEY",
        {"max_tokens_field": "max_completion_tokens", "send_top_k": "false"},
        (
            _m("grok-4", _CHAT | {Capability.REASONING}, 256_000, "Grok 4"),
            _m("grok-4-fast-reasoning", _CHAT | {Capability.REASONING}, 2_000_000, "Grok 4 Fast"),
            _m("grok-3", _TEXT, 131_072, "Grok 3"),
            _m("grok-3-mini", _REASONING, 131_072, "Grok 3 mini"),
        ),
    ),
    "qwen": Preset(  # Alibaba Cloud Model Studio (DashScope), OpenAI-compatible mode
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
        "DASHSCOPE_API_KEY",
        {"max_tokens_field": "max_tokens", "reasoning_param": "enable_thinking"},
        (
            _m("qwen-max", _TEXT, 32_768, "Qwen Max"),
            _m("qwen-plus", _REASONING, 131_072, "Qwen Plus"),
            _m("qwen-turbo", _REASONING, 1_000_000, "Qwen Turbo"),
            _m("qwen-vl-max", _CHAT, 131_072, "Qwen VL Max"),
            _m("text-embedding-v3", _EMBED, 8_192, "Qwen text-embedding-v3"),
        ),
    ),
    "vllm": Preset("http://localhost:8000/v1", "", {"max_tokens_field": "max_tokens"}),
    "lmstudio": Preset("http://localhost:1234/v1", "", {"max_tokens_field": "max_tokens"}),
}


def with_preset(
    provider: str, adapter_class: str, base_url: str, options: Mapping[str, str]
) -> tuple[str, str, str, dict[str, str]]:
    """(adapter class, base URL, key variable, options) of one upstream, with what it leaves
    empty filled from the preset its provider kind names. The key variable is the preset's
    for the preset's own endpoint only (as for every default key), else empty; all is as
    given when the kind is no preset or the upstream names an adapter of its own."""
    preset = PRESETS.get(provider)
    if preset is None or adapter_class not in ("", preset.adapter_class):
        return adapter_class, base_url, "", dict(options)
    return (
        preset.adapter_class,
        base_url or preset.base_url,
        default_credential(preset.credential_env, preset.base_url, base_url),
        {**preset.options, **options},
    )
