"""A demo partnership with realistic synthetic answers.

Twelve healthcare employers: some good, some poor, each with its own strengths and
weak spots; two closed waves (about 1,200 and 1,500 responses, the later one better,
so trends show; with honest "prefer not to say" answers and a few comments), and one
open wave to try the survey. The data is
generated from a fixed seed, so every demo install shows the same numbers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
from scipy.special import ndtr
from sqlalchemy import insert, select

from .accounts.passwords import hash_password
from .accounts.service import create_user, end_all_sessions
from .extensions import db
from .instruments import Instrument, Item, get_instrument
from .models import Answer, Comment, Employer, Partnership, Response, User, Wave
from .results.store import compute_release, store_release
from .waves import ensure_links

DEMO_NAME = "Valley Health Careers Partnership"
DEMO_STAFF_EMAIL = "staff@valley-health.example"
DEMO_EMPLOYER_EMAIL = "hr@riverbend.example"
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


@dataclass(frozen=True)
class DemoResult:
    partnership: str
    created: bool
    closed_wave: str
    closed_responses: int
    open_wave: str
    links: list[tuple[str, str]]
    #: (role, email, password) of each demo account.
    sign_ins: list[tuple[str, str, str]]


def create_demo(today: date | None = None) -> DemoResult:
    """Create the demo partnership once; later calls only report what is there."""
    today = today or datetime.now(UTC).date()
    partnership = db.session.scalar(select(Partnership).where(Partnership.name == DEMO_NAME))
    created = partnership is None
    if partnership is None:
        partnership = _create_partnership(today)
    closed = max(
        (w for w in partnership.waves if w.status == "closed"), key=lambda w: w.closes_on or today
    )
    open_ = next(w for w in partnership.waves if w.status == "open")
    links = [(link.employer.name, link.token) for link in ensure_links(db.session, open_)]
    sign_ins = _demo_accounts(partnership)
    db.session.commit()
    count = db.session.scalar(
        select(db.func.count()).select_from(Response).where(Response.wave_id == closed.id)
    )
    return DemoResult(DEMO_NAME, created, closed.name, int(count or 0), open_.name, links, sign_ins)


def _demo_accounts(partnership: Partnership) -> list[tuple[str, str, str]]:
    """A staff user and one employer's user, with fresh random passwords on every run
    (only hashes are stored, so a later run cannot print the earlier passwords)."""
    employer = next(e for e in partnership.employers if e.name == EMPLOYERS[0][0])
    sign_ins = []
    for role, email, of_employer in (
        ("staff", DEMO_STAFF_EMAIL, None),
        ("employer", DEMO_EMPLOYER_EMAIL, employer),
    ):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(
                db.session, email, partnership_id=partnership.id, employer=of_employer
            )
        password = secrets.token_urlsafe(12)
        user.password_hash = hash_password(password)
        end_all_sessions(db.session, user.id)
        sign_ins.append((role, email, password))
    return sign_ins


def _create_partnership(today: date) -> Partnership:
    partnership = Partnership(
        name=DEMO_NAME,
        sector="Healthcare",
        region="Central Valley",
        living_wage=Decimal("24.00"),
        living_wage_basis="Demo figure in the style of the MIT Living Wage Calculator, 1 adult",
        min_group_size=5,
        quote_min_responses=10,
    )
    db.session.add(partnership)
    for name, size, *_ in EMPLOYERS:
        db.session.add(Employer(partnership=partnership, name=name, size_band=size))
    # A year earlier, a smaller and somewhat worse round: the later one shows a trend.
    earlier = Wave(
        partnership=partnership,
        name="Autumn wave last year",
        status="closed",
        opens_on=today - timedelta(days=420),
        closes_on=today - timedelta(days=385),
        worker_instrument_version=1,
    )
    closed = Wave(
        partnership=partnership,
        name="Spring wave",
        status="closed",
        opens_on=today - timedelta(days=240),
        closes_on=today - timedelta(days=200),
        # The closed wave was asked with v1 and the open one with v2 (the default),
        # so a demo install exercises both instrument versions side by side.
        worker_instrument_version=1,
    )
    open_ = Wave(
        partnership=partnership,
        name="Autumn wave",
        status="open",
        opens_on=today - timedelta(days=21),
        closes_on=today + timedelta(days=28),
        worker_instrument_version=2,
    )
    db.session.add_all([earlier, closed, open_])
    db.session.flush()
    for wave in (earlier, closed, open_):
        ensure_links(db.session, wave)
    _add_responses(partnership, earlier, seed=SEED - 1, lift=-0.25, share=0.8)
    _add_responses(partnership, closed)
    # Closed as close_wave closes a wave: figures computed once and stored, the later
    # round with its trend against the earlier one.
    for wave in (earlier, closed):
        db.session.flush()
        store_release(db.session, wave, compute_release(db.session, wave))
    return partnership


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


def _add_responses(
    partnership: Partnership, wave: Wave, *, seed: int = SEED, lift: float = 0.0, share: float = 1.0
) -> None:
    """Synthetic responses; ``lift`` moves every employer's level (an earlier, worse
    round has a negative lift) and ``share`` scales the number of responses."""
    instrument: Instrument = get_instrument(
        wave.worker_instrument_key, wave.worker_instrument_version
    )
    rng = np.random.default_rng(seed)
    employers = {e.name: e for e in partnership.employers}
    dimensions = [d.id for d in instrument.dimensions]
    days = max((wave.closes_on - wave.opens_on).days, 1)  # type: ignore[operator]
    response_rows, answer_rows, comment_rows = [], [], []
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
