"""Worker comments as quotes: staff review each one, and rule 6 decides where it may go.

Comments reach staff in shuffled batches (:mod:`surveyapp.settling`). Staff approve a
comment as a quote, often after taking out names, places and other details (the
edited text replaces the original, which is then gone), or reject it. An approved
quote of an employer's workers may appear in a brief only when that employer has at
least the partnership's quote threshold of responses in the round (anonymity rule 6,
never below k); the sector brief follows the same rule, since a quote can name a
workplace.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from .db import Session
from .models import Comment, Employer, Partnership, Response, Wave

#: Characters a quote may hold at most (the comment box takes 1,000).
MAX_QUOTE_LENGTH = 1000
#: Direction overrides and isolates: they can make a quote read differently than typed.
_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class QuoteError(ValueError):
    """An edited quote that cannot be stored, with the reason in ``code``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Quote:
    text: str
    language: str
    employer: str
    employer_id: int


def clean_quote(text: str) -> str:
    """The quote as stored: spaces tidied; refused when empty, too long or disguised."""
    tidy = " ".join(text.split())
    if not tidy:
        raise QuoteError("empty")
    if len(tidy) > MAX_QUOTE_LENGTH:
        raise QuoteError("too_long")
    if any(ch in _OVERRIDES or unicodedata.category(ch) in ("Cc", "Cs", "Co") for ch in tidy):
        raise QuoteError("hidden")
    return tidy


def approve(comment: Comment, text: str) -> None:
    """Approve ``comment`` as a quote with ``text`` (the original is replaced)."""
    comment.text = clean_quote(text)
    comment.approved = True
    comment.reviewed = True


def reject(comment: Comment) -> None:
    """Leave ``comment`` out of every brief (an approved one is withdrawn)."""
    comment.approved = False
    comment.reviewed = True


def quote_threshold(partnership: Partnership, wave: Wave) -> int:
    """Responses an employer needs before its workers may be quoted (rule 6)."""
    return max(partnership.quote_min_responses, wave.min_group_size)


def quotable_employers(session: Session, wave: Wave) -> set[int]:
    """Employers of ``wave`` with at least the quote threshold of responses."""
    threshold = quote_threshold(wave.partnership, wave)
    counts = session.execute(
        select(Response.employer_id, func.count())
        .where(Response.wave_id == wave.id)
        .group_by(Response.employer_id)
    ).all()
    return {employer_id for employer_id, n in counts if n >= threshold}


def quotes(session: Session, wave: Wave, employer_id: int | None = None) -> list[Quote]:
    """Approved quotes that may appear in a brief of ``wave``: every quotable employer's,
    or one employer's (none when it is below the threshold). In random-id order, which
    says nothing about when anyone answered."""
    allowed = quotable_employers(session, wave)
    if employer_id is not None:
        allowed &= {employer_id}
    if not allowed:
        return []
    rows = session.execute(
        select(Comment.text, Comment.language, Employer.name, Employer.id)
        .join(Employer, Employer.id == Comment.employer_id)
        .where(
            Comment.wave_id == wave.id,
            Comment.approved.is_(True),
            Comment.employer_id.in_(allowed),
        )
        .order_by(Comment.id)
    ).all()
    return [Quote(text, language, name, ident) for text, language, name, ident in rows]
