"""Audio formats the gateway takes and makes: the recordings Transcribe accepts (by
MIME type, with the file extension an upload names them by) and the encodings
SynthesizeSpeech produces."""

from __future__ import annotations

# Recordings Transcribe accepts: canonical MIME type -> file extension (OpenAI tells
# the format of an upload by its file name).
RECORDING_TYPES = {
    "audio/wav": "wav",
    "audio/mpeg": "mp3",
    "audio/flac": "flac",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "audio/mp4": "m4a",
}
_ALIASES = {
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "audio/vnd.wave": "audio/wav",
    "audio/mp3": "audio/mpeg",
    "audio/mpga": "audio/mpeg",
    "audio/x-flac": "audio/flac",
    "audio/opus": "audio/ogg",
    "application/ogg": "audio/ogg",
    "video/webm": "audio/webm",
    "audio/m4a": "audio/mp4",
    "audio/x-m4a": "audio/mp4",
    "video/mp4": "audio/mp4",
}

# Encodings of synthesized speech (the contract's AudioFormat) and their MIME types.
SPEECH_FORMATS = {
    "mp3": "audio/mpeg",
    "opus": "audio/ogg",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}


def recording_type(mime_type: str) -> str:
    """The canonical type of a recording's MIME type (parameters such as `codecs=`
    dropped, aliases resolved), or '' when Transcribe does not take it."""
    base = mime_type.split(";", 1)[0].strip().lower()
    base = _ALIASES.get(base, base)
    return base if base in RECORDING_TYPES else ""


def sniff_recording_type(data: bytes) -> str:
    """The MIME type of a recording from its first bytes ('' when not recognised)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"fLaC"):
        return "audio/flac"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM / Matroska
        return "audio/webm"
    if data[4:8] == b"ftyp":
        return "audio/mp4"
    if data.startswith(b"ID3"):
        return "audio/mpeg"
    # An MPEG audio frame: 11 sync bits, then layer III (01) in bits 2-1 of the second byte.
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE6 == 0xE2:
        return "audio/mpeg"
    return ""
