"""A demo partnership with realistic synthetic answers.

Twelve healthcare employers: some good, some poor, each with its own strengths and
weak spots; two closed waves (about 1,200 and 1,500 responses, the later one better,
so trends show; with honest "prefer not to say" answers and a few comments), and one
open wave to try the survey. The data is
generated from a fixed seed, so every demo install shows the same numbers.
Most employers send their own survey in each closed wave, some claiming what their
workers report and some clearly not, so the stored releases carry flagged gaps
(:mod:`surveyapp.demo_employer_surveys`). Each employer has one user.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from .accounts import second_factor
from .accounts.passwords import hash_password
from .accounts.service import create_user, end_all_sessions, now
from .demo_closing import close_the_loop
from .demo_employer_surveys import DRAFT_EMPLOYER, DemoEmployer, fill_closed_round, fill_draft
from .demo_responses import EMPLOYERS, SEED, add_responses
from .demo_self_assessment import answer_self_assessment
from .extensions import db
from .models import Employer, Partnership, Response, User, Wave
from .results.store import compute_release, store_release
from .waves import ensure_links

DEMO_NAME = "Valley Health Careers Partnership"
DEMO_STAFF_EMAIL = "staff@valley-health.example"
#: Share of each employer's frontline workers who answer the latest closed round.
RESPONSE_RATE = 0.65

#: One user per employer. Riverbend's address is the one earlier demo installs made.
EMPLOYER_EMAILS = {
    "Riverbend Regional Hospital": "hr@riverbend.example",
    "St. Agnes Medical Center": "hr@stagnes.example",
    "Oakmont Skilled Nursing": "hr@oakmont.example",
    "Sunrise Home Care": "hr@sunrise-homecare.example",
    "Valley Community Clinic": "hr@valley-clinic.example",
    "Cedar Grove Assisted Living": "hr@cedargrove.example",
    "Harbor Dialysis Center": "hr@harbor-dialysis.example",
    "Pinecrest Rehabilitation": "hr@pinecrest.example",
    "Golden Hills Senior Living": "hr@goldenhills.example",
    "Mesa Pediatrics Group": "hr@mesa-pediatrics.example",
    "Northside Urgent Care": "hr@northside.example",
    "Lakeside Behavioral Health": "hr@lakeside.example",
}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    #: The employer an employer user belongs to; None for staff.
    employer: str | None = None
    #: The staff user's TOTP secret (base32), new on every run like the password.
    totp_secret: str | None = None


@dataclass(frozen=True)
class DemoResult:
    partnership: str
    created: bool
    closed_wave: str
    closed_responses: int
    open_wave: str
    links: list[tuple[str, str]]
    accounts: list[DemoAccount]


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
    accounts = _demo_accounts(partnership)
    db.session.commit()
    count = db.session.scalar(
        select(db.func.count()).select_from(Response).where(Response.wave_id == closed.id)
    )
    return DemoResult(DEMO_NAME, created, closed.name, int(count or 0), open_.name, links, accounts)


def _demo_accounts(partnership: Partnership) -> list[DemoAccount]:
    """A staff user and one user per employer, with fresh random passwords on every run
    (only hashes are stored, so a later run cannot print the earlier passwords)."""
    employers = sorted(partnership.employers, key=lambda e: e.id)
    accounts = [_account(partnership, "staff", DEMO_STAFF_EMAIL, None)]
    for employer in employers:
        accounts.append(_account(partnership, "employer", EMPLOYER_EMAILS[employer.name], employer))
    return accounts


def _account(
    partnership: Partnership, role: str, email: str, employer: Employer | None
) -> DemoAccount:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = create_user(db.session, email, partnership_id=partnership.id, employer=employer)
    password = secrets.token_urlsafe(12)
    user.password_hash = hash_password(password)
    end_all_sessions(db.session, user.id)
    totp = None
    if role == "staff":
        # Staff must have a second factor; the demo sets one up and prints it, so
        # scripts and testers can sign in (pyotp.TOTP(secret).now()).
        db.session.flush()
        second_factor.remove(db.session, user)
        totp = second_factor.new_secret()
        user.totp_secret = second_factor.seal_secret(user, totp)
        user.totp_enabled_at = now()
        user.totp_last_step = None
        second_factor.new_recovery_codes(db.session, user)
    return DemoAccount(role, email, password, employer.name if employer else None, totp)


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
    demo_employers = _demo_employers(partnership)
    rounds = (
        (earlier, add_responses(partnership, earlier, seed=SEED - 1, lift=-0.25, share=0.8)),
        (closed, add_responses(partnership, closed)),
    )
    for round_index, (wave, codes) in enumerate(rounds):
        # Employers send their own survey before the round closes, so that closing
        # turns their answers into claims and stores the gap tests with the release.
        sent = fill_closed_round(db.session, wave, demo_employers, codes, round_index)
        # Closed as close_wave closes a wave: figures computed once and stored, the
        # later round with its trend against the earlier one.
        db.session.flush()
        store_release(db.session, wave, compute_release(db.session, wave))
        close_the_loop(db.session, wave)
        answer_self_assessment(db.session, wave, round_index)
    # The open round's half-filled survey starts from what was sent in the latest round.
    draft_employer = next(d.employer for d in demo_employers if d.employer.name == DRAFT_EMPLOYER)
    fill_draft(db.session, open_, draft_employer, sent[DRAFT_EMPLOYER], today)
    return partnership


def _demo_employers(partnership: Partnership) -> list[DemoEmployer]:
    employers = {e.name: e for e in partnership.employers}
    # At least 12 workers: Lakeside has few responses because few of its staff
    # answered, not because it has only six.
    return [
        DemoEmployer(employers[name], quality, wage, max(round(count / RESPONSE_RATE), 12))
        for name, _size, quality, wage, count in EMPLOYERS
    ]
