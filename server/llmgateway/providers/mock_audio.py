"""The mock provider's audio: speech is a WAV of a steady tone, 20 ms per character
of the text (divided by the speed), with the text in the file's INFO comment, so
that the mock's transcription of its own speech gives the text back. Any other
recording transcribes to a sentence saying what it was."""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator

from llmgateway.core.types import TranscriptSegment

SAMPLE_RATE_HZ = 16_000
SECONDS_PER_CHARACTER = 0.02
CHUNK_BYTES = 4_000  # 125 ms of audio: a whole number of tone periods
_PERIOD = [round(9_000 * math.sin(2 * math.pi * i / 40)) for i in range(40)]  # 400 Hz
_TONE = struct.pack("<40h", *_PERIOD) * (CHUNK_BYTES // 80)
_MAX_CHUNKS = 64  # a RIFF file with more chunks than this is not one the mock reads through
_SENTENCE = re.compile(r"[^.!?]+[.!?]*\s*")


def speech_bytes(characters: int, speed: float) -> int:
    """Bytes of 16-bit mono samples for `characters` of text."""
    samples = round(characters * SECONDS_PER_CHARACTER * SAMPLE_RATE_HZ / speed)
    return max(samples, 1) * 2


def wav_header(text: str, data_bytes: int) -> bytes:
    """RIFF/WAVE header of 16-bit mono audio with `text` as its INFO comment (ICMT)."""
    comment = text.encode() + b"\x00"
    if len(comment) % 2:
        comment += b"\x00"
    info = b"INFO" + b"ICMT" + struct.pack("<I", len(comment)) + comment
    fmt = struct.pack("<HHIIHH", 1, 1, SAMPLE_RATE_HZ, SAMPLE_RATE_HZ * 2, 2, 16)
    body = (
        b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"LIST"
        + struct.pack("<I", len(info))
        + info
        + b"data"
        + struct.pack("<I", data_bytes)
    )
    return b"RIFF" + struct.pack("<I", len(body) + data_bytes) + body


def tone(data_bytes: int) -> Iterator[bytes]:
    """`data_bytes` of the tone, in chunks of CHUNK_BYTES (the last one shorter)."""
    for _ in range(data_bytes // CHUNK_BYTES):
        yield _TONE
    if data_bytes % CHUNK_BYTES:
        yield _TONE[: data_bytes % CHUNK_BYTES]


def read_wav(data: bytes) -> tuple[str | None, float]:
    """The INFO comment of a WAV file (None when it has none) and its duration in
    seconds (0 when the file is not a WAV the mock can read)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None, 0.0
    comment: str | None = None
    byte_rate = 0
    pos = 12
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > len(data):
            break
        kind = data[pos : pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = data[pos + 8 : pos + 8 + size]
        if kind == b"fmt " and len(body) >= 12:
            (byte_rate,) = struct.unpack_from("<I", body, 8)
        elif kind == b"LIST" and body[:8] == b"INFOICMT":
            comment = body[12:].split(b"\x00", 1)[0].decode(errors="replace")
        elif kind == b"data":
            return comment, len(body) / byte_rate if byte_rate else 0.0
        pos += 8 + size + size % 2
    return comment, 0.0


def segments(text: str, duration_s: float) -> list[TranscriptSegment]:
    """One segment per sentence, timed in proportion to its characters."""
    if not text:
        return []
    per_character = duration_s / len(text) if duration_s else SECONDS_PER_CHARACTER
    out = []
    for match in _SENTENCE.finditer(text):
        sentence = match.group().strip()
        if sentence:
            out.append(
                TranscriptSegment(match.start() * per_character, match.end() * per_character, sentence)
            )
    return out
