"""Issue 10, demo: the demo employers' own surveys and what closing made of them.

Most demo employers sent the employer survey in each closed round, some claiming what
their workers report and some clearly not, so the latest closed round's stored release
has flagged gaps beside unflagged ones; one employer stays below k; the open round has
a survey half filled. (The printed sign-ins are tested in test_users_cli.py.)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from surveyapp import create_app
from surveyapp.demo import create_demo
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import EmployerAnswer, EmployerSurvey, Response, Wave
from surveyapp.results import stored_release, stored_release_row

from ..conftest import SECRET

EMPLOYER = get_instrument("employer", 1)


@pytest.fixture(scope="module")
def demo_app(sqlite_template, tmp_path_factory) -> Iterator[Flask]:
    """One demo, built once for the module (it takes a few seconds)."""
    folder = tmp_path_factory.mktemp("demo-employers")
    path = folder / "demo.sqlite3"
    shutil.copyfile(sqlite_template, path)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(folder))
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                "SECRET_KEY": SECRET,
                "TESTING": True,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            create_demo()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _closed_waves() -> list[Wave]:
    return list(
        db.session.scalars(select(Wave).where(Wave.status == "closed").order_by(Wave.closes_on))
    )


def test_most_employers_sent_their_survey_before_each_round_closed(demo_app):
    with demo_app.app_context():
        for wave in _closed_waves():
            surveys = db.session.scalars(
                select(EmployerSurvey).where(EmployerSurvey.wave_id == wave.id)
            ).all()
            assert len(surveys) == 9, wave.name
            for survey in surveys:
                assert (survey.instrument_key, survey.instrument_version) == ("employer", 1)
                assert survey.instrument_checksum == EMPLOYER.checksum
                assert survey.sent_at is not None
                assert survey.sent_at.tzinfo is None  # naive UTC, as the columns store
                assert wave.opens_on <= survey.sent_at.date() <= wave.closes_on
                assert survey.updated_at == survey.sent_at
                assert len(survey.answers) >= 30


def test_every_stored_answer_is_one_the_survey_accepts(demo_app):
    with demo_app.app_context():
        answers = db.session.scalars(select(EmployerAnswer)).all()
        assert answers
        ways_out = 0
        for answer in answers:
            item = EMPLOYER.item(answer.item_id)
            assert (answer.code is None) != (answer.number is None)
            codes = {o.code for o in item.options}
            if item.kind == "number" and answer.number is not None:
                assert item.min_value <= Decimal(answer.number) <= item.max_value, answer.item_id
            else:
                assert answer.code in codes, answer.item_id
                ways_out += item.kind == "number"
        # "Not sure" or "Prefer not to say" beside a number question is stored as a code.
        assert ways_out >= 1


def test_the_latest_closed_release_has_flagged_gaps_beside_unflagged_ones(demo_app):
    with demo_app.app_context():
        latest = _closed_waves()[-1]
        release = stored_release(db.session, latest)
        # The claims closing read from the sent surveys are kept beside the figures.
        assert json.loads(stored_release_row(db.session, latest).parameters)["claims"]
    with_claims = {e["employer"]: e["gaps"] for e in release["employers"] if _claimed(e["gaps"])}
    flagged = {name for name, gaps in with_claims.items() if any(g["flagged"] for g in gaps)}
    assert flagged
    assert set(with_claims) - flagged, "an employer whose claims match its workers"
    # An overclaiming employer: its workers report far less than it states.
    assert any(
        g["flagged"] and g["median_gap"] <= -25 for name in flagged for g in with_claims[name]
    )


def _claimed(gaps: list[dict]) -> bool:
    return any(g["claim"] is not None for g in gaps)


def test_an_employer_stays_below_k_in_the_latest_closed_round(demo_app):
    with demo_app.app_context():
        latest = _closed_waves()[-1]
        release = stored_release(db.session, latest)
        counts = dict(
            db.session.execute(
                select(Response.employer_id, func.count())
                .where(Response.wave_id == latest.id)
                .group_by(Response.employer_id)
            ).all()
        )
        assert min(counts.values()) < latest.min_group_size
    hidden = [e for e in release["employers"] if e["estimates"][0]["mean"] is None]
    assert hidden
    # Its gaps are hidden too, claims or not.
    assert all(g["median_gap"] is None for e in hidden for g in e["gaps"])


def test_the_open_round_has_a_half_filled_survey_not_sent(demo_app):
    with demo_app.app_context():
        open_wave = db.session.scalar(select(Wave).where(Wave.status == "open"))
        surveys = db.session.scalars(
            select(EmployerSurvey).where(EmployerSurvey.wave_id == open_wave.id)
        ).all()
        assert len(surveys) == 1
        draft = surveys[0]
        assert draft.sent_at is None
        assert draft.updated_at.tzinfo is None
        answered = {a.item_id for a in draft.answers}
        first_page, last_page = EMPLOYER.pages[0], EMPLOYER.pages[-1]
        assert set(first_page.items) <= answered
        assert not answered & set(last_page.items)


def test_the_closed_rounds_show_what_workers_told_us_with_quotes_under_rule_6(demo_app):
    """Issue 12, demo: staff left a note in both languages and reviewed the comments."""
    from surveyapp.models import Comment, DistributionLink
    from surveyapp.quotes import quote_threshold, quotes

    with demo_app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.name == "Spring wave"))
        token = db.session.scalar(
            select(DistributionLink.token).where(DistributionLink.wave_id == wave.id)
        )
        waiting = db.session.scalar(
            select(func.count())
            .select_from(Comment)
            .where(Comment.wave_id == wave.id, Comment.reviewed.is_(False))
        )
        shown = quotes(db.session, wave)
        threshold = quote_threshold(wave.partnership, wave)
        counts = dict(
            db.session.execute(
                select(Response.employer_id, func.count())
                .where(Response.wave_id == wave.id)
                .group_by(Response.employer_id)
            ).all()
        )
    assert waiting == 0
    assert shown
    assert all(counts[q.employer_id] >= threshold for q in shown)
    client = demo_app.test_client()
    english = client.get(f"/s/{token}?lang=en", follow_redirects=True).get_data(as_text=True)
    spanish = client.get(f"/s/{token}?lang=es", follow_redirects=True).get_data(as_text=True)
    assert "What you told us" in english
    assert "The partnership meets employers in March" in english
    assert "Lo que nos dijeron" in spanish
    assert "La alianza se reúne con los empleadores en marzo" in spanish


def test_the_closed_rounds_have_a_closed_partnership_self_assessment(demo_app):
    """Issue 12, demo: three partners answered in each closed round, so the staff page
    and the sector brief have element scores with a spread and a two-round history.
    Expected values are worked by hand from the demo's levels, score = (level-1)/3*100,
    "Don't know" left out: leadership is the mean of (83.33, 66.67, 33.33) in both
    rounds; worker voice is (16.67, 16.67, 0) first and (50, 50, 33.33) after."""
    from surveyapp.selfassessment.figures import self_assessment_figures

    with demo_app.app_context():
        earlier, latest = _closed_waves()
        figures = self_assessment_figures(db.session, latest)
        first = self_assessment_figures(db.session, earlier)
    assert figures["status"] == first["status"] == "closed"
    assert figures["sent"] == 3
    by_id = {element["id"]: element for element in figures["elements"]}
    assert by_id["leadership"]["mean"] == pytest.approx((250 / 3 + 200 / 3 + 100 / 3) / 3)
    assert by_id["worker_voice"]["mean"] == pytest.approx((50 + 50 + 100 / 3) / 3)
    assert (by_id["worker_voice"]["lowest"], by_id["worker_voice"]["highest"]) == (
        pytest.approx(100 / 3),
        pytest.approx(50),
    )
    history = figures["history"]
    assert [row["wave_id"] for row in history] == [earlier.id, latest.id]
    assert history[0]["means"]["worker_voice"] == pytest.approx((50 / 3 + 50 / 3 + 0) / 3)
    assert history[1]["means"]["worker_voice"] == pytest.approx((50 + 50 + 100 / 3) / 3)
