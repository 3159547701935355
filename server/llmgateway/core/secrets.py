"""Provider credentials, kept secret.

- `CredentialPolicy` says which credential references a model may name (environment
  variables by name pattern, files under allowed secret directories; never the
  gateway's own secrets) and resolves a reference to its value.
- `looks_like_key` spots a key pasted where a reference belongs (known prefixes,
  high-entropy runs); such a reference is refused and never quoted back.
- `SCRUBBER` holds every secret value the process has resolved (provider keys,
  the admin token) and replaces it in any text the gateway shows: upstream error
  messages, errors at the edge, log lines. Its cost is one substring test per
  registered value per text, so the hot path (one log line per call) stays cheap.
"""

from __future__ import annotations

import fnmatch
import json
import math
import os
import posixpath
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

FILE_PREFIX = "file:"
REDACTED = "[REDACTED]"
GATEWAY_ENV_PREFIX = "LLMGATEWAY_"  # the gateway's own settings and secrets
DEFAULT_ENV_PATTERNS = ("*_API_KEY",)  # the built-in providers' variables match it
DEFAULT_SECRET_DIRS = ("/run/secrets/", "/var/run/secrets/")
MAX_REFERENCE = 200  # the registry column's size
MAX_SECRET_FILE_BYTES = 64 * 1024
# Shorter values are not scrubbed: they cannot be told from ordinary text.
MIN_SCRUBBED = 8
# An echo of at least this many leading characters of a secret is scrubbed too
# (an upstream that truncates the key it quotes); masked forms (`sk-p****1234`) stay.
_HEAD = 16

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ABSOLUTE_PATH = re.compile(r"^/[^\x00-\x1f]+$")

# Prefixes of well-known key formats (OpenAI, Anthropic, Google, Groq, xAI, Hugging Face,
# GitHub, GitLab, Slack, AWS, Perplexity, Replicate, NVIDIA, Cerebras, Fireworks, Jina,
# Stripe, OpenRouter, Google OAuth, JWTs, and this gateway's own API keys).
KEY_PREFIXES = (
    "sk-", "sk_", "pk_", "rk_", "AIza", "gsk_", "xai-", "hf_", "ghp_", "gho_", "ghu_", "ghs_",
    "ghr_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "xapp-", "AKIA", "pplx-", "r8_", "nvapi-",
    "csk-", "fw_", "jina_", "ya29.", "eyJ", "llmgw_",
)  # fmt: skip
_AUTH_SCHEMES = ("bearer ", "basic ", "token ")
_SEGMENTS = re.compile(r"[_\-.~+/=:]")
_MIN_TOKEN = 16  # a random run at least this long is a key, not a word of a name
_MIN_ENTROPY = 3.0  # bits per character of such a run


def entropy(text: str) -> float:
    """Shannon entropy of `text` in bits per character."""
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values()) if n else 0.0


def _random_looking(token: str) -> bool:
    """Mixed character classes: digits or upper case among lower case letters (names
    of variables are words, conventionally upper case), or digits among the letters of
    a run too long to be a word."""
    lower = any(c.islower() for c in token)
    upper = any(c.isupper() for c in token)
    digit = any(c.isdigit() for c in token)
    return (lower and (upper or digit)) or (digit and (lower or upper) and len(token) >= 2 * _MIN_TOKEN)


def looks_like_key(value: str) -> bool:
    """Whether `value` is more likely a secret than the name or path of one."""
    if value.lower().startswith(_AUTH_SCHEMES):
        return True
    for prefix in KEY_PREFIXES:
        if value.startswith(prefix):
            rest = value[len(prefix) :]
            if len(rest) >= _MIN_TOKEN and (any(c.isdigit() for c in rest) or _random_looking(rest)):
                return True
    return any(
        len(token) >= _MIN_TOKEN and _random_looking(token) and entropy(token) >= _MIN_ENTROPY
        for token in _SEGMENTS.split(value)
    )


def shown_reference(ref: str) -> str:
    """A stored reference as the Admin API shows it: a key stored as a reference
    (rows written before references were checked) is never read back."""
    return REDACTED if ref and not ref.startswith(FILE_PREFIX) and looks_like_key(ref) else ref


class CredentialError(Exception):
    """A credential reference that is refused or resolves to nothing. The message
    completes "model X ..." and never quotes a refused reference."""


def _dir(path: str) -> str:
    return posixpath.normpath(path).rstrip("/") + "/"


@dataclass(frozen=True)
class CredentialPolicy:
    """Which credential references an operator allows. `reserved_env` and
    `reserved_files` name the gateway's own secrets (the admin token): never resolvable,
    whatever the patterns say; so is every `LLMGATEWAY_*` variable."""

    env_patterns: tuple[str, ...] = DEFAULT_ENV_PATTERNS
    secret_dirs: tuple[str, ...] = DEFAULT_SECRET_DIRS
    reserved_env: frozenset[str] = frozenset()
    reserved_files: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "secret_dirs", tuple(_dir(d) for d in self.secret_dirs))
        reserved = frozenset(posixpath.normpath(f) for f in self.reserved_files)
        object.__setattr__(self, "reserved_files", reserved)

    def problem(self, ref: str) -> str:
        """Why `ref` may not be used ("" when it may); completes "credential_ref ..."."""
        is_file = ref.startswith(FILE_PREFIX)
        if not is_file and looks_like_key(ref):
            return "looks like a key itself: name the environment variable (or file:/path) that holds it"
        if len(ref) > MAX_REFERENCE:
            return f"must be at most {MAX_REFERENCE} characters"
        if is_file:
            return self._file_problem(ref.removeprefix(FILE_PREFIX))
        if not ENV_NAME.match(ref):
            return (
                "must be the NAME of an environment variable (letters, digits, `_`) or "
                "file:/absolute/path of a secret file, not the key itself"
            )
        if ref.startswith(GATEWAY_ENV_PREFIX) or ref in self.reserved_env:
            return "names one of the gateway's own secrets"
        if not any(fnmatch.fnmatchcase(ref, pattern) for pattern in self.env_patterns):
            allowed = ", ".join(self.env_patterns) or "none"
            return f"must name a variable the operator allows (secrets.allowed_env: {allowed})"
        return ""

    def _file_problem(self, path: str) -> str:
        if not _ABSOLUTE_PATH.match(path) or posixpath.normpath(path) != path:
            return "must be file:/absolute/path, normalized (no `.`, `..` or `//`)"
        if path in self.reserved_files:
            return "names one of the gateway's own secrets"
        if not any(path.startswith(d) for d in self.secret_dirs):
            allowed = ", ".join(self.secret_dirs) or "none"
            return f"must name a file in a directory the operator allows (secrets.allowed_dirs: {allowed})"
        return ""

    def resolve(self, ref: str, environ: Mapping[str, str]) -> str:
        """The secret `ref` names, registered with the scrubber; raises CredentialError."""
        problem = self.problem(ref)
        if problem:
            raise CredentialError(f"has a refused credential reference: it {problem}")
        if ref.startswith(FILE_PREFIX):
            value = self._read_file(ref.removeprefix(FILE_PREFIX))
        else:
            value = environ.get(ref, "").strip()
            if not value:
                raise CredentialError(f"needs the environment variable {ref}, which is not set")
        SCRUBBER.add(value)
        return value

    def _read_file(self, path: str) -> str:
        def unusable(why: str) -> CredentialError:
            return CredentialError(f"needs the secret file {path}, which {why}")

        # Symbolic links are followed, so the real file must be inside an allowed directory too.
        real = os.path.realpath(path)
        if real in {os.path.realpath(f) for f in self.reserved_files}:
            raise unusable("is one of the gateway's own secrets")
        if not any(real.startswith(_dir(os.path.realpath(d))) for d in self.secret_dirs):
            raise unusable("leads outside the allowed directories")
        try:
            with open(real, "rb") as handle:
                raw = handle.read(MAX_SECRET_FILE_BYTES + 1)
        except OSError as exc:
            raise unusable(f"cannot be read ({exc.strerror})") from None
        if len(raw) > MAX_SECRET_FILE_BYTES:
            raise unusable("is larger than a key can be")
        try:
            value = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise unusable("is not UTF-8 text") from None
        if not value:
            raise unusable("is empty")
        return value


def default_credential(default_env: str, default_base_url: str, base_url: str) -> str:
    """The reference a model that names none gets: the provider's default key
    variable for the provider's own default endpoint only. A model with its own
    base URL uses exactly the credential it names, or none."""
    if not default_env or not default_base_url:
        return ""
    own = base_url.rstrip("/")
    return default_env if not own or own == default_base_url.rstrip("/") else ""


class Scrubber:
    """Replaces registered secrets in text. Registration is rare (a key resolved, the
    admin token loaded) and copies the needle tuple; `scrub` reads it without a lock."""

    def __init__(self) -> None:
        self._known: set[str] = set()
        self._needles: tuple[tuple[str, str], ...] = ()  # (head, form): form starts with head
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        if len(secret) < MIN_SCRUBBED:
            return
        with self._lock:
            if secret in self._known:
                return
            self._known.add(secret)
            # The value and the escaped forms a server may echo it in (JSON, URL).
            forms = dict.fromkeys((secret, json.dumps(secret)[1:-1], quote(secret, safe="")))
            self._needles = (*self._needles, *((form[:_HEAD], form) for form in forms))

    def scrub(self, text: str) -> str:
        for head, form in self._needles:
            if head in text:
                text = _redact(text, head, form)
        return text


def _redact(text: str, head: str, form: str) -> str:
    """Replaces each occurrence of `head` and as much of `form` as follows it."""
    out: list[str] = []
    pos = 0
    while (start := text.find(head, pos)) >= 0:
        end, n = start + len(head), len(head)
        while n < len(form) and end < len(text) and text[end] == form[n]:
            end, n = end + 1, n + 1
        out += (text[pos:start], REDACTED)
        pos = end
    out.append(text[pos:])
    return "".join(out)


SCRUBBER = Scrubber()
scrub = SCRUBBER.scrub
