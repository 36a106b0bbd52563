"""Sealed drafts: a worker's unsent answers are stored only as ciphertext.

A draft holds a worker's answers and free text together until they submit, which is
exactly the pairing anonymity rule 4 forbids once the answers are stored. Stale
copies of the draft outlive every update (SQLite's WAL and free pages, PostgreSQL's
dead tuples, backups), so the draft's contents are encrypted with a random key per
draft, and that key is stored only wrapped under keys the server never keeps:

* the **cookie key**, derived from the worker's draft cookie (the database holds only
  an HMAC of the cookie, which cannot be turned back into it);
* the **resume key**, derived from the resume code together with the app's secret
  key, once the worker asks to finish later (the code is short enough to be typed,
  so the secret key keeps a copy of the database alone from guessing it).

A copy of the database files therefore holds drafts as ciphertext that nothing in
the copy can open. AES-256-GCM authenticates each value to its draft and purpose,
so a sealed value moved to another row or column does not open.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12


class DraftUnreadable(ValueError):
    """A sealed value did not open: wrong key, or a tampered or moved value."""


def _derive(material: bytes, purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"surveyapp-draft", info=purpose.encode()
    ).derive(material)


def cookie_key(cookie: str) -> bytes:
    """The key a draft cookie opens (the cookie carries 256 random bits)."""
    return _derive(cookie.encode(), "cookie")


def resume_key(secret_key: str, code: str) -> bytes:
    """The key a resume code opens, bound to the app's secret key."""
    return _derive(f"{secret_key}\x00{code}".encode(), "resume")


def pending_comment_key(secret_key: str) -> bytes:
    """The key pending free text is sealed with until its batch is released."""
    return _derive(secret_key.encode(), "pending-comment")


def seal(key: bytes, plaintext: bytes, context: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, context.encode())
    return base64.b64encode(nonce + sealed).decode("ascii")


def unseal(key: bytes, value: str, context: str) -> bytes:
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True)
        return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError) as exc:
        raise DraftUnreadable("sealed value does not open") from exc


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


@dataclass
class DraftContents:
    """What a sealed draft holds once opened."""

    answers: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    #: The draft's one resume code, kept so a second "save" shows the same code.
    resume_code: str | None = None

    def to_bytes(self) -> bytes:
        return json.dumps(
            {"a": self.answers, "l": self.language, "r": self.resume_code},
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> DraftContents:
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise DraftUnreadable("draft contents are not JSON") from exc
        if not isinstance(value, dict) or not isinstance(value.get("a"), dict):
            raise DraftUnreadable("draft contents have the wrong shape")
        code = value.get("r")
        return cls(
            answers=value["a"],
            language=str(value.get("l") or "en"),
            resume_code=code if isinstance(code, str) else None,
        )
