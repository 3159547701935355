"""OpenTelemetry GenAI semantic-convention values, shared by spans and metrics."""

from __future__ import annotations

# gen_ai.operation.name by our upstream operation (AttemptRecord.operation) and by RPC.
OPERATIONS = {
    "chat": "chat",
    "stream_chat": "chat",
    "embed": "embeddings",
    "generate_image": "generate_content",
    # No GenAI convention names audio operations yet: ours.
    "transcribe": "transcription",
    "synthesize_speech": "speech",
}
METHOD_OPERATIONS = {
    "Chat": "chat",
    "StreamChat": "chat",
    "Embed": "embeddings",
    "GenerateImage": "generate_content",
    "Transcribe": "transcription",
    "SynthesizeSpeech": "speech",
}
# The streaming RPCs and their operation: time to first token (or first audio) is theirs.
STREAM_OPERATIONS = {"StreamChat": "chat", "SynthesizeSpeech": "speech"}
# gen_ai.provider.name well-known values, where ours differ.
_PROVIDERS = {"azure": "azure.ai.openai", "gemini": "gcp.gemini"}


def operation_name(operation: str) -> str:
    return OPERATIONS.get(operation, operation)


def provider_name(provider: str) -> str:
    return _PROVIDERS.get(provider, provider)
