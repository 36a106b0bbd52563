"""The demo's partnership self-assessment: answered by three invited partners in
each closed round and closed, so the staff page and the sector brief show element
scores with their spread, and their history over two rounds."""

from __future__ import annotations

from .db import Session
from .models import Wave
from .selfassessment.service import Rating, close, ensure_assessment, instrument_of, invite, save
from .selfassessment.service import send as send_answers

#: Each partner's level for each statement, in the instrument's order (1 Not yet ..
#: 4 Established, 98 Don't know), in the earlier round; the later round moves the data
#: and worker-voice statements up one level, as a partnership that acted on its first
#: results might.
LEVELS = {
    "workforce_board": "3 4 2 2 3 3 3 2 2 1 3 3 2 2 1 2",
    "training_provider": "3 3 2 1 4 3 4 3 2 2 3 2 1 2 2 1",
    "union": "2 98 1 2 2 2 3 2 1 1 2 2 1 1 1 1",
}
LABELS = {
    "workforce_board": "Central Valley Workforce Board",
    "training_provider": "Valley Community College",
    "union": "Healthcare Workers Local 20",
}
IMPROVED = ("DAT1", "DAT2", "WV1", "WV2")


def levels_for(role: str, round_index: int, item_ids: list[str]) -> dict[str, int]:
    """The demo answers of one partner in the ``round_index``-th closed round (0 first)."""
    levels = dict(zip(item_ids, map(int, LEVELS[role].split()), strict=True))
    if round_index > 0:
        for item_id in IMPROVED:
            if levels[item_id] < 4:
                levels[item_id] += 1
    return levels


def answer_self_assessment(session: Session, wave: Wave, round_index: int) -> None:
    """Three partners answer the round's self-assessment, which staff then close."""
    assessment = ensure_assessment(session, wave)
    instrument = instrument_of(assessment)
    item_ids = [item.id for item in instrument.items]
    for role, label in LABELS.items():
        respondent, _token = invite(session, assessment, role, label)
        save(
            session,
            respondent,
            {k: Rating(v) for k, v in levels_for(role, round_index, item_ids).items()},
        )
        if not send_answers(session, instrument, respondent):
            raise RuntimeError(f"demo self-assessment of {role} is incomplete")
    close(session, assessment)
