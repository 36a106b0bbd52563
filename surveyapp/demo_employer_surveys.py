"""The demo employers' own surveys (employer-v1): most answer, some honestly, some not.

In each closed round nine of the twelve demo employers send the employer survey
before the round closes, so closing turns their answers into claims and the stored
release carries gap tests (MEASUREMENT.md 4.8):

* ``honest``: on each mirrored question the employer claims what its own workers
  report (the answer whose score is nearest their median), so its gaps stay small;
* ``hopeful``: the facts honestly, but its workers' views one step too kindly
  ("Agree" where they are neutral), which the gap tests catch;
* ``overclaims``: two steps better than its workers on every question (14 days of
  notice and "Strongly agree" where they disagree), so its gaps are flagged.

One employer has a survey half filled (not sent) in the open round, so the employer
survey pages have an example to continue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from numpy.typing import NDArray

from .db import Session
from .instruments import Instrument, Item, get_instrument
from .models import Employer, EmployerAnswer, EmployerSurvey, Wave
from .scoring import claim_scores

#: The employer survey the demo rounds are answered with.
EMPLOYER_INSTRUMENT = ("employer", 1)
NOT_SURE = 98
PREFER_NOT_TO_SAY = 99
YES, NO = 1, 2
#: How many answer steps above its workers' reports each profile claims: on the
#: predictions (E15) and on the facts.
STEPS = {"honest": (0, 0), "hopeful": (1, 0), "overclaims": (2, 2)}

#: Each employer's profile in (the earlier closed round, the latest closed round);
#: None: it did not send the survey that round. Nine answer in each round.
PROFILES: dict[str, tuple[str | None, str | None]] = {
    "Riverbend Regional Hospital": ("honest", "honest"),
    "St. Agnes Medical Center": ("hopeful", "hopeful"),
    "Oakmont Skilled Nursing": ("overclaims", "overclaims"),
    "Sunrise Home Care": ("overclaims", "hopeful"),
    "Valley Community Clinic": ("honest", "honest"),
    "Cedar Grove Assisted Living": ("hopeful", "overclaims"),
    "Harbor Dialysis Center": (None, "honest"),
    "Pinecrest Rehabilitation": ("honest", "honest"),
    "Golden Hills Senior Living": ("overclaims", None),
    "Mesa Pediatrics Group": ("honest", None),
    "Northside Urgent Care": (None, None),
    # Below k in the latest round: its claims are stored but its gaps stay hidden.
    "Lakeside Behavioral Health": (None, "honest"),
}

#: Honest ways out some employers take, so the demo shows them beside the answers.
WAYS_OUT: dict[str, dict[str, int]] = {
    "Pinecrest Rehabilitation": {"E3d_wait": NOT_SURE, "E15_SEC5": NOT_SURE},
    "St. Agnes Medical Center": {"E14": PREFER_NOT_TO_SAY},
}

#: A number for a claim band where the band's lower limit reads oddly: any paid
#: training claims SKL1 "Yes", but nobody reports exactly 1 hour of it.
NUMBER_FOR_CLAIM: dict[tuple[str, int], Decimal] = {("E7", 1): Decimal(16)}

#: The open round's half-filled survey: whose, and how many pages are answered.
DRAFT_EMPLOYER = "Riverbend Regional Hospital"
DRAFT_PAGES = 5

#: An answer as stored: an option code (int) or a number (Decimal).
Value = int | Decimal
#: Workers' option codes of each mirrored worker item, by (employer name, item id).
WorkerCodes = Mapping[tuple[str, str], NDArray[np.int16]]


@dataclass(frozen=True)
class DemoEmployer:
    employer: Employer
    #: Overall quality, -1..1, and wage level relative to the living wage.
    quality: float
    wage_level: float
    #: Frontline headcount (the response-rate denominator the survey asks for).
    headcount: int


def fill_closed_round(
    session: Session,
    wave: Wave,
    employers: list[DemoEmployer],
    worker_codes: WorkerCodes,
    round_index: int,
) -> dict[str, dict[str, Value]]:
    """Sent surveys of the round's answering employers; their answers by employer name.

    Call before the round is closed: closing reads sent surveys as claims.
    """
    employer_instrument = get_instrument(*EMPLOYER_INSTRUMENT)
    worker = get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
    living_wage = float(wave.partnership.living_wage)
    sent: dict[str, dict[str, Value]] = {}
    for number, demo in enumerate(employers):
        profile = PROFILES[demo.employer.name][round_index]
        if profile is None:
            continue
        answers = _context_answers(demo, living_wage)
        for item in employer_instrument.items:
            if item.mirrors is None:
                continue
            codes = worker_codes[(demo.employer.name, item.mirrors)]
            claimed = _claim(item, worker, codes, living_wage, _steps(profile, item))
            if claimed is not None:
                answers[item.id] = claimed
        _fill_waits(answers)
        answers.update(WAYS_OUT.get(demo.employer.name, {}))
        # Sent in the round's last days, a few hours apart.
        sent_at = _at(wave.closes_on, days_before=3, hour=9 + number % 8)  # type: ignore[arg-type]
        _store(session, wave, demo.employer, employer_instrument, answers, sent_at, sent=True)
        sent[demo.employer.name] = answers
    return sent


def fill_draft(
    session: Session, wave: Wave, employer: Employer, answers: Mapping[str, Value], today: date
) -> None:
    """An unsent survey with the first pages answered (as the employer last sent them)."""
    instrument = get_instrument(*EMPLOYER_INSTRUMENT)
    pages = {item_id for page in instrument.pages[:DRAFT_PAGES] for item_id in page.items}
    kept = {item_id: value for item_id, value in answers.items() if item_id in pages}
    saved = _at(today, days_before=2, hour=15)
    _store(session, wave, employer, instrument, kept, saved, sent=False)


def _steps(profile: str, item: Item) -> int:
    prediction, fact = STEPS[profile]
    return prediction if item.id.startswith("E15_") else fact


def _claim(
    item: Item, worker: Instrument, codes: NDArray[np.int16], living_wage: float, steps: int
) -> Value | None:
    """The answer ``steps`` claim steps above what the employer's workers report.

    None when no worker answered the question: there is nothing to be honest about.
    """
    options = _claim_options(item)
    claimed = np.array([[code] for _answer, code in options], dtype=np.int16)
    claim = claim_scores(worker, [item.mirrors or ""], claimed, living_wage=living_wage)[:, 0]
    scores = claim_scores(worker, [item.mirrors or ""], codes[:, None], living_wage=living_wage)
    if np.isnan(scores).all():
        return None
    median = float(np.nanmedian(scores))
    order = np.argsort(claim, kind="stable")
    distance = np.abs(claim[order] - median)
    # Ties go to the better answer: an employer that offers a benefit says so.
    honest = int(np.flatnonzero(distance == distance.min())[-1])
    return options[int(order[min(honest + steps, len(order) - 1)])][0]


def _claim_options(item: Item) -> list[tuple[Value, int]]:
    """(answer, the worker option code it claims) for each claim rule of ``item``.

    A number question answers with the lower limit of each band (its minimum for the
    first), so every answer is within the question's range.
    """
    if item.kind != "number":
        return [(int(rule.answer or 0), rule.code) for rule in item.claims]
    options: list[tuple[Value, int]] = []
    lower = Decimal(item.min_value or 0)
    for rule in item.claims:
        options.append((NUMBER_FOR_CLAIM.get((item.id, rule.code), lower), rule.code))
        lower = Decimal(rule.below) if rule.below is not None else lower
    return options


def _context_answers(demo: DemoEmployer, living_wage: float) -> dict[str, Value]:
    """The questions without a claim, from the employer's overall quality and pay."""
    quality = demo.quality
    # Worse workplaces lose more of their workers in a year.
    turnover = min(max(0.35 - 0.3 * quality, 0.08), 0.7)
    typical_wage = Decimal(str(round(living_wage * demo.wage_level * 1.08, 2)))
    part_time = YES if quality > 0 else NO
    return {
        "E13": Decimal(demo.headcount),
        "E14": Decimal(round(demo.headcount * turnover)),
        "E2": typical_wage,
        **{f"E3{benefit}_pt": part_time for benefit in "abcd"},
        "E8": YES if quality > 0.3 else NO,
        "E9_open": YES,
        "E9_anon": YES if quality > -0.2 else NO,
        "E9_policy": YES if quality > -0.5 else NO,
    }


def _fill_waits(answers: dict[str, Value]) -> None:
    """Days before a new worker gets each benefit it is offered (left blank when not)."""
    waits = {"a": 30, "b": 0, "c": 90, "d": 90}
    for benefit, days in waits.items():
        if answers.get(f"E3{benefit}_ft") == YES:
            answers[f"E3{benefit}_wait"] = Decimal(days)
        else:
            # Not offered full time: not to part-time workers either.
            answers[f"E3{benefit}_pt"] = NO


def _at(day: date, *, days_before: int, hour: int) -> datetime:
    """A naive UTC time, as the columns store."""
    return datetime.combine(day - timedelta(days=days_before), time(hour))


def _store(
    session: Session,
    wave: Wave,
    employer: Employer,
    instrument: Instrument,
    answers: Mapping[str, Value],
    when: datetime,
    *,
    sent: bool,
) -> None:
    survey = EmployerSurvey(
        wave_id=wave.id,
        employer_id=employer.id,
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        instrument_checksum=instrument.checksum,
        sent_at=when if sent else None,
        updated_at=when,
    )
    survey.answers = [
        EmployerAnswer(
            item_id=item_id,
            code=value if isinstance(value, int) else None,
            number=value if isinstance(value, Decimal) else None,
        )
        for item_id, value in answers.items()
    ]
    session.add(survey)
