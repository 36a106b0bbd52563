"""Synthetic worker responses for the demo partnership, from a fixed seed.

Each employer has an overall quality and a wage level; each response's answers come
from a latent value around them, so good employers get better answers, each with
its own strong and weak dimensions, and the same seed gives the same numbers on
every install.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import numpy as np
from scipy.special import ndtr
from sqlalchemy import insert

from .demo_employer_surveys import WorkerCodes
from .extensions import db
from .instruments import Instrument, Item, get_instrument
from .models import Answer, Comment, Partnership, Response, Wave
from .scoring import gap_item_ids

SEED = 20261125

#: (name, size band, overall quality -1..1, wage level relative to the living wage, responses)
EMPLOYERS = [
    ("Riverbend Regional Hospital", "1000+", 0.55, 1.30, 260),
    ("St. Agnes Medical Center", "1000+", 0.20, 1.20, 220),
    ("Oakmont Skilled Nursing", "250-999", -0.55, 0.90, 180),
    ("Sunrise Home Care", "250-999", -0.35, 0.85, 160),
    ("Valley Community Clinic", "50-249", 0.60, 1.10, 140),
    ("Cedar Grove Assisted Living", "50-249", -0.15, 0.95, 120),
    ("Harbor Dialysis Center", "50-249", 0.30, 1.25, 110),
    ("Pinecrest Rehabilitation", "50-249", 0.05, 1.05, 90),
    ("Golden Hills Senior Living", "50-249", -0.70, 0.85, 80),
    ("Mesa Pediatrics Group", "50-249", 0.40, 1.15, 70),
    ("Northside Urgent Care", "1-49", 0.10, 1.10, 66),
    # Fewer than k responses: the dashboards must hide this employer's scores.
    ("Lakeside Behavioral Health", "1-49", -0.20, 1.00, 4),
]

COMMENTS = {
    "en": [
        "Post the schedule two weeks ahead so we can plan childcare.",
        "More staff on the night shift. We are always short.",
        "Fix the lifts in the east wing, people keep getting hurt.",
        "Pay that keeps up with rent.",
        "Supervisors who listen when we raise a problem.",
        "Let part-time staff get health insurance too.",
        "Paid training to move up to LVN.",
    ],
    "es": [
        "Publicar el horario con dos semanas de anticipación.",
        "Más personal en el turno de noche.",
        "Un pago que alcance para la renta.",
        "Que los supervisores nos escuchen.",
        "Capacitación pagada para poder subir de puesto.",
    ],
}


def _pick(item: Item, latent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Answer codes for one item from latent values: higher latent, better answer.

    Options are ordered by the score they give after reverse coding, and the latent
    value's normal percentile chooses among them. About 4% answer "prefer not to
    say" or "not sure" where the item offers it.
    """
    answerable = [o for o in item.options if not o.missing]
    if item.scoring == "options":
        sign = -1 if item.direction == "reverse" else 1
        answerable.sort(key=lambda o: sign * (o.score or 0.0))
    codes = np.array([o.code for o in answerable], dtype=np.int16)
    index = np.minimum((ndtr(latent) * len(codes)).astype(int), len(codes) - 1)
    answers = codes[index]
    missing = [o.code for o in item.options if o.missing]
    if missing:
        answers = np.where(rng.random(latent.shape) < 0.04, missing[0], answers)
    return answers


def _wage_codes(item: Item, hourly: np.ndarray) -> np.ndarray:
    bands = sorted((o for o in item.options if not o.missing), key=lambda o: o.hourly or 0.0)
    mids = np.array([o.hourly for o in bands])
    edges = (mids[1:] + mids[:-1]) / 2
    return np.array([o.code for o in bands], dtype=np.int16)[np.searchsorted(edges, hourly)]


def add_responses(
    partnership: Partnership, wave: Wave, *, seed: int = SEED, lift: float = 0.0, share: float = 1.0
) -> WorkerCodes:
    """Synthetic responses; ``lift`` moves every employer's level (an earlier, worse
    round has a negative lift) and ``share`` scales the number of responses.

    Returns the answers to the questions employers make claims about, so that the
    demo employers' own surveys can be written to match their workers or not.
    """
    instrument: Instrument = get_instrument(
        wave.worker_instrument_key, wave.worker_instrument_version
    )
    rng = np.random.default_rng(seed)
    employers = {e.name: e for e in partnership.employers}
    dimensions = [d.id for d in instrument.dimensions]
    days = max((wave.closes_on - wave.opens_on).days, 1)  # type: ignore[operator]
    response_rows, answer_rows, comment_rows = [], [], []
    mirrored = set(gap_item_ids(instrument))
    claimed_about: dict[tuple[str, str], np.ndarray] = {}
    for name, _size, quality, wage_level, full_count in EMPLOYERS:
        employer = employers[name]
        count = max(1, round(full_count * share))
        # Each employer has its own strong and weak dimensions around its overall level.
        offsets = dict(zip(dimensions, rng.normal(0, 0.45, len(dimensions)), strict=True))
        person = rng.normal(0, 0.6, count)
        ids = [secrets.token_hex(16) for _ in range(count)]
        languages = np.where(rng.random(count) < 0.3, "es", "en")
        for i, response_id in enumerate(ids):
            response_rows.append(
                {
                    "id": response_id,
                    "wave_id": wave.id,
                    "employer_id": employer.id,
                    "instrument_key": instrument.key,
                    "instrument_version": instrument.version,
                    "instrument_checksum": instrument.checksum,
                    "language": str(languages[i]),
                    "submitted_on": wave.opens_on + timedelta(days=int(rng.integers(0, days))),  # type: ignore[operator]
                }
            )
        overall = 0.9 * quality + lift + person
        for item in instrument.items:
            if item.kind != "choice":
                continue
            if item.scoring == "living_wage_ratio":
                hourly = float(partnership.living_wage) * wage_level * rng.lognormal(0, 0.15, count)
                codes = _wage_codes(item, hourly)
                codes = np.where(rng.random(count) < 0.06, 99, codes)
            elif item.role == "scored":
                latent = overall + offsets[item.dimension or ""] + rng.normal(0, 0.8, count)
                codes = _pick(item, latent + 0.3, rng)
            elif item.role == "criterion":
                codes = _pick(item, overall + rng.normal(0, 0.7, count) + 0.3, rng)
            else:
                # Context and subgroup questions: spread over the bands, some skipped.
                codes = _pick(item, rng.normal(0, 1, count), rng)
                codes = np.where(rng.random(count) < 0.1, 0, codes)
            if item.id in mirrored:
                claimed_about[(name, item.id)] = codes
            for response_id, code in zip(ids, codes.tolist(), strict=True):
                if code:
                    answer_rows.append(
                        {"response_id": response_id, "item_id": item.id, "code": code}
                    )
        for language in languages[rng.random(count) < 0.12]:
            pool = COMMENTS[str(language)]
            comment_rows.append(
                {
                    "id": secrets.token_hex(16),
                    "wave_id": wave.id,
                    "employer_id": employer.id,
                    "item_id": "CHANGE",
                    "language": str(language),
                    "text": pool[int(rng.integers(0, len(pool)))],
                    "approved": False,
                }
            )
    db.session.execute(insert(Response), response_rows)
    db.session.execute(insert(Answer), answer_rows)
    if comment_rows:
        db.session.execute(insert(Comment), comment_rows)
    return claimed_about
