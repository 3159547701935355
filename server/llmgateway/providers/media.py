"""Image inputs in the shapes providers take: MIME sniffing, base64 payloads, data: URIs."""

from __future__ import annotations

import base64

from llmgateway.core.errors import invalid_request
from llmgateway.core.types import ImagePart


def sniff_image_mime(data: bytes) -> str:
    """The MIME type of image bytes from their magic number ("" when unknown)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return ""


def parse_data_uri(uri: str, field: str) -> tuple[str, str]:
    """(media type, base64 payload) of a `data:<type>;base64,<payload>` URI."""
    header, sep, payload = uri.removeprefix("data:").partition(",")
    media_type, _, encoding = header.partition(";")
    if not sep or encoding != "base64" or not media_type:
        raise invalid_request([(field, "must be a base64 data: URI with a media type")])
    return media_type, payload


def inline_image(part: ImagePart, field: str, default_mime: str = "") -> tuple[str, str] | None:
    """(media type, base64 payload) of an image given inline or as a data: URI; None for a
    URL. `field` names the part for errors; `default_mime` stands in when sniffing fails."""
    if part.data is not None:
        mime = part.mime_type or sniff_image_mime(part.data) or default_mime
        if not mime:
            raise invalid_request([(f"{field}.mime_type", "is required for this image")])
        return mime, base64.b64encode(part.data).decode("ascii")
    uri = part.uri or ""
    if uri.startswith("data:"):
        return parse_data_uri(uri, f"{field}.uri")
    if uri.startswith(("https://", "http://")):
        return None
    raise invalid_request([(f"{field}.uri", "must be an https or data: URI")])
