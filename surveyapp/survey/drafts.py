"""Drafts: a worker's answers between pages, found by a cookie or a resume code.

The cookie value and the resume code are random; the database keeps only their
HMACs under the app's secret key, so a copy of the database cannot be used to take
over someone's draft.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import DistributionLink, Draft

#: Resume codes: 12 characters from an alphabet without look-alikes (0/O, 1/I/L),
#: about 58 bits, shown as XXXX-XXXX-XXXX.
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RESUME_LENGTH = 12

Answers = dict[str, Any]


def today() -> Any:
    return datetime.now(UTC).date()


def _digest(purpose: str, value: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_resume_code(raw: str) -> str:
    """Upper-case and drop spaces and dashes, as people type codes in many ways."""
    return "".join(ch for ch in raw.upper() if ch.isascii() and ch.isalnum())


def format_resume_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def start_draft(
    session: Session, link: DistributionLink, language: str, access_code_hash: str | None = None
) -> tuple[Draft, str]:
    """Create an empty draft; returns it and the cookie value that finds it."""
    purge_expired(session)
    cookie = secrets.token_urlsafe(32)
    draft = Draft(
        id=secrets.token_hex(16),
        token_hash=_digest("draft", cookie),
        link_id=link.id,
        answers="{}",
        language=language,
        access_code_hash=access_code_hash,
        expires_on=today() + timedelta(days=current_app.config["DRAFT_DAYS"]),
    )
    session.add(draft)
    session.flush()
    return draft, cookie


def find_draft(session: Session, link: DistributionLink, cookie: str | None) -> Draft | None:
    if not cookie or len(cookie) > 100:
        return None
    draft = session.scalar(select(Draft).where(Draft.token_hash == _digest("draft", cookie)))
    if draft is None or draft.link_id != link.id or draft.expires_on < today():
        return None
    return draft


def answers_of(draft: Draft) -> Answers:
    try:
        value = json.loads(draft.answers)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def save_answers(draft: Draft, updates: Answers, cleared: tuple[str, ...] = ()) -> None:
    """Merge one page's answers into the draft; ``cleared`` items are removed."""
    answers = answers_of(draft)
    for item_id in cleared:
        answers.pop(item_id, None)
    answers.update(updates)
    draft.answers = json.dumps(answers, ensure_ascii=False, sort_keys=True)
    draft.expires_on = today() + timedelta(days=current_app.config["DRAFT_DAYS"])


def issue_resume_code(draft: Draft) -> str:
    """A new resume code for the draft; any earlier code stops working."""
    code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
    draft.resume_hash = _digest("resume", normalise_resume_code(code))
    return format_resume_code(code)


def resume_draft(
    session: Session, link: DistributionLink, raw_code: str
) -> tuple[Draft, str] | None:
    """Find the draft a resume code belongs to and move it to a new cookie.

    The old cookie stops working, so a shared phone that started the survey no
    longer opens the answers once the worker continues on another device.
    """
    code = normalise_resume_code(raw_code)
    if len(code) != RESUME_LENGTH:
        return None
    draft = session.scalar(select(Draft).where(Draft.resume_hash == _digest("resume", code)))
    if draft is None or draft.link_id != link.id or draft.expires_on < today():
        return None
    cookie = secrets.token_urlsafe(32)
    draft.token_hash = _digest("draft", cookie)
    return draft, cookie


def purge_expired(session: Session) -> int:
    result = session.execute(delete(Draft).where(Draft.expires_on < today()))
    return int(getattr(result, "rowcount", 0) or 0)
