"""Opaque page tokens: a versioned marker naming the listing, then the last id
of the previous page, base64url. Callers see only an opaque string."""

from __future__ import annotations

import base64
import binascii


def encode_page_token(listing: str, last_id: str) -> str:
    return base64.urlsafe_b64encode(f"{listing}:{last_id}".encode()).decode()


def decode_page_token(listing: str, token: str) -> str | None:
    """The last id a token of `listing` carries; "" for no token; None when the token
    was not issued for this listing (the caller reports it as an invalid page_token)."""
    if not token:
        return ""
    try:
        decoded = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix = f"{listing}:"
    return decoded.removeprefix(prefix) if decoded.startswith(prefix) else None
