"""The respondent's pages, shared by a partner's link and the staff console.

One element a page, as in the employer survey: errors beside each statement and in a
summary at the top, no JavaScript needed. Each page is saved when it is sent, so a
respondent can stop and come back; the overview shows where each page stands, the
answers, and the send button. Answers can change, sent or not, until staff close the
self-assessment; sent answers count as they stand at that moment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from ..db import begin_write
from ..extensions import db
from ..instruments import Instrument
from ..models import SelfAssessment, SelfAssessmentRespondent, Wave
from . import service
from .answers import NOTE_SUFFIX, PostedPage, language, read_page

#: ``find(create)``: the respondent of these pages; with ``create``, made if need be
#: (staff answer without an invitation). Called again inside write transactions.
Finder = Callable[[bool], SelfAssessmentRespondent | None]


@dataclass(frozen=True)
class Place:
    """Where one respondent's pages live, and what surrounds the questions there."""

    wave: Wave
    #: Endpoint names of the overview, a page (takes ``number``) and sending.
    overview: str
    page: str
    send: str
    args: Mapping[str, Any]
    find: Finder
    #: The answer when the self-assessment has closed (a link: the unknown-link 404).
    closed: Callable[[], ResponseReturnValue]
    #: "Invited as: …" for a link; empty for staff.
    who: str = ""
    back: tuple[str, str] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def overview_url(self, **query: Any) -> str:
        return url_for(self.overview, **self.args, **query)

    def page_url(self, number: int) -> str:
        return url_for(self.page, number=number, **self.args)

    def send_url(self) -> str:
        return url_for(self.send, **self.args)


@dataclass(frozen=True)
class PageState:
    number: int
    title: str
    answered: int
    statements: int

    @property
    def complete(self) -> bool:
        return self.answered == self.statements


@dataclass(frozen=True)
class AnswerRow:
    statement: str
    level: str | None
    note: str | None


def overview(place: Place) -> ResponseReturnValue:
    assessment = service.assessment_of(db.session, place.wave)
    respondent = place.find(False)
    instrument = service.instrument_of(assessment)
    lang = language(instrument)
    ratings = service.stored(respondent)
    states = _states(instrument, ratings, lang)
    return render_template(
        "self_assessment/overview.html",
        place=place,
        wave=place.wave,
        instrument=instrument,
        lang=lang,
        respondent=respondent,
        pages=states,
        rows=_rows(instrument, ratings, lang),
        editable=assessment is None or not assessment.is_closed,
        complete=all(state.complete for state in states),
        changed=request.args.get("changed", ""),
    )


def page(place: Place, number: int) -> ResponseReturnValue:
    assessment = service.assessment_of(db.session, place.wave)
    instrument = service.instrument_of(assessment)
    if not 1 <= number <= len(instrument.pages):
        abort(404)
    if assessment is not None and assessment.is_closed:
        return place.closed()
    shown = instrument.pages[number - 1]
    if request.method == "POST":  # the CSRF check is global
        posted = read_page(instrument, shown, request.form)
        if not posted.errors:
            if not _save(place, posted):
                return place.closed()
            if number < len(instrument.pages) and request.form.get("action") != "overview":
                return redirect(place.page_url(number + 1))
            return redirect(place.overview_url(changed="saved"))
        typed, errors = posted.typed, posted.errors
    else:
        typed, errors = _typed(service.stored(place.find(False))), {}
    lang = language(instrument)
    return render_template(
        "self_assessment/page.html",
        place=place,
        wave=place.wave,
        instrument=instrument,
        lang=lang,
        page=shown,
        number=number,
        page_count=len(instrument.pages),
        items=instrument.page_items(shown),
        typed=typed,
        errors=errors,
        # The summary links each level error to the statement's first level.
        targets={item_id: f"{item_id}-1" for item_id in shown.items},
        error_labels={key: _statement(instrument, key, lang) for key in errors},
        note_suffix=NOTE_SUFFIX,
    ), (400 if errors else 200)


def send(place: Place) -> ResponseReturnValue:
    db.session.rollback()
    begin_write(db.session)
    assessment = service.lock_open(db.session, place.wave.id)
    if assessment is None:
        db.session.rollback()
        return place.closed()
    respondent = place.find(False)
    if respondent is None or not service.send(
        db.session, service.instrument_of(assessment), respondent
    ):
        db.session.rollback()
        return redirect(place.overview_url(changed="incomplete"))
    db.session.commit()
    return redirect(place.overview_url(changed="sent"))


def _save(place: Place, posted: PostedPage) -> bool:
    """Store one page's ratings; False when the self-assessment closed meanwhile.

    The self-assessment is read again, share-locked, inside the write transaction;
    closing it takes the same row for update, so nothing changes after the close.
    """
    for attempt in range(2):
        db.session.rollback()
        begin_write(db.session)
        assessment = db.session.get(
            SelfAssessment, place.wave.id, populate_existing=True, with_for_update={"read": True}
        )
        if assessment is None:
            # Only a staff user can get here first: a link needs a self-assessment.
            assessment = service.ensure_assessment(db.session, place.wave)
        if assessment.is_closed:
            db.session.rollback()
            return False
        try:
            respondent = place.find(True)
            if respondent is None:  # the link expired or was withdrawn meanwhile
                db.session.rollback()
                return False
            service.save(db.session, respondent, posted.ratings)
            db.session.commit()
            return True
        except IntegrityError:  # the same staff user, in another tab, a moment ago
            db.session.rollback()
            if attempt:
                raise
    return False  # pragma: no cover - the loop returns or raises


def _states(
    instrument: Instrument, ratings: Mapping[str, service.Rating], lang: str
) -> list[PageState]:
    return [
        PageState(
            number,
            shown.title[lang],
            sum(1 for item_id in shown.items if item_id in ratings),
            len(shown.items),
        )
        for number, shown in enumerate(instrument.pages, start=1)
    ]


def _rows(
    instrument: Instrument, ratings: Mapping[str, service.Rating], lang: str
) -> list[AnswerRow]:
    rows = []
    for item in instrument.items:
        rating = ratings.get(item.id)
        option = item.option(rating.code) if rating else None
        rows.append(
            AnswerRow(
                item.text[lang],
                option.label[lang] if option else None,
                rating.note if rating else None,
            )
        )
    return rows


def _typed(ratings: Mapping[str, service.Rating]) -> dict[str, str]:
    typed: dict[str, str] = {}
    for item_id, rating in ratings.items():
        typed[item_id] = str(rating.code)
        typed[item_id + NOTE_SUFFIX] = rating.note or ""
    return typed


def _statement(instrument: Instrument, key: str, lang: str) -> str:
    return instrument.item(key.removesuffix(NOTE_SUFFIX)).text[lang]
