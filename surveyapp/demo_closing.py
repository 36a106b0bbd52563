"""The demo's closed rounds as staff leave them: a "What happens next" note in both
languages, and the worker comments reviewed (some approved as quotes, the rest
rejected), so the survey links of a closed round show "What you told us" and the
briefs have quotes to show where rule 6 allows."""

from __future__ import annotations

import json

from sqlalchemy import select

from .db import Session
from .models import Comment, Wave
from .quotes import approve, reject

NOTES = {
    "en": (
        "Thank you. The partnership meets employers in March to agree on two changes:"
        " schedules posted two weeks ahead, and paid training hours.\n"
        "We will post what was agreed on the break room board."
    ),
    "es": (
        "Gracias. La alianza se reúne con los empleadores en marzo para acordar dos"
        " cambios: horarios publicados con dos semanas de anticipación y horas de"
        " capacitación pagadas.\nPublicaremos lo acordado en el tablero de la sala de"
        " descanso."
    ),
}
#: Approve every third comment as a quote; reject the rest, as staff might after reading.
APPROVE_EVERY = 3


def close_the_loop(session: Session, wave: Wave) -> None:
    """Write the round's note and review its comments (random-id order)."""
    wave.closing_note = json.dumps(NOTES, ensure_ascii=False)
    comments = session.scalars(
        select(Comment).where(Comment.wave_id == wave.id).order_by(Comment.id)
    ).all()
    seen: set[int] = set()
    for n, comment in enumerate(comments):
        # Each employer's first comment is approved too, so a small employer's approved
        # quote shows rule 6 keeping it out of the briefs.
        if comment.employer_id not in seen or n % APPROVE_EVERY == 0:
            approve(comment, comment.text)
        else:
            reject(comment)
        seen.add(comment.employer_id)
