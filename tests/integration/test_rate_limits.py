"""Rate limits at a shift change: a workplace behind one address is never locked out,
while one person hammering a page is stopped, and every limit is settable."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from surveyapp import create_app
from surveyapp.extensions import db, limiter
from surveyapp.models import Response
from surveyapp.ratelimit import LIMITS, limits_from_environment

from ..conftest import SECRET
from ..factories import make_wave
from ..survey_driver import SurveyDriver, default_answers


@pytest.fixture
def limited_app(sqlite_url, tmp_path, monkeypatch):
    """The app as shipped: rate limits on, at their defaults unless a test sets one."""
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    for variable, _default, _what in LIMITS.values():
        monkeypatch.delenv(variable, raising=False)

    def make():
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": sqlite_url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": True}
        )
        with app.app_context():
            limiter.reset()
        return app

    yield make
    with make().app_context():
        db.engine.dispose()


def test_forty_workers_behind_one_address_all_start_and_send(limited_app):
    """Forty phones on the workplace Wi-Fi within seconds (was: 35 of 40 turned away)."""
    app = limited_app()
    token = make_wave(app)[0]
    workers = [SurveyDriver(app.test_client(), token) for _ in range(40)]
    started = [worker.start().status_code for worker in workers]
    assert started == [302] * 40
    sent = [worker.complete_started().status_code for worker in workers]
    assert sent == [302] * 40
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 40


def test_the_start_limit_per_address_holds_at_its_value(limited_app, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_LIMIT_START", "12/hour")
    app = limited_app()
    token = make_wave(app)[0]
    statuses = [SurveyDriver(app.test_client(), token).start().status_code for _ in range(13)]
    assert statuses == [302] * 12 + [429]


def test_one_worker_hammering_a_page_is_stopped_while_others_go_on(limited_app, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_LIMIT_PAGE_PER_DRAFT", "5/minute")
    app = limited_app()
    token = make_wave(app)[0]
    hammer, neighbour = (
        SurveyDriver(app.test_client(), token),
        SurveyDriver(app.test_client(), token),
    )
    hammer.start()
    neighbour.start()
    hammer.get("/p/1")
    data = {"action": "continue", **hammer.page_answers(1, default_answers(hammer.instrument))}
    statuses = [hammer.post("/p/1", data).status_code for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    # The same address, another draft: not affected.
    assert neighbour.answer_page(1, default_answers(neighbour.instrument)).status_code == 302


def test_the_per_draft_limit_does_not_apply_before_a_worker_has_a_draft(limited_app, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_LIMIT_PAGE_PER_DRAFT", "1/hour")
    app = limited_app()
    token = make_wave(app)[0]
    # Page posts without a draft cookie (they only lead back to the start page) are
    # counted per address, not as one shared "no draft" bucket.
    statuses = []
    for _ in range(3):
        stranger = SurveyDriver(app.test_client(), token)
        stranger.get()  # a CSRF token, but no draft
        statuses.append(stranger.post("/p/1", {"action": "continue"}).status_code)
    assert statuses == [302] * 3  # back to the start page, not rate limited


def test_a_limit_reached_is_one_log_line_without_address_or_token(limited_app, monkeypatch, caplog):
    monkeypatch.setenv("SURVEYAPP_LIMIT_START", "1/hour")
    app = limited_app()
    token = make_wave(app)[0]
    SurveyDriver(app.test_client(), token).start()
    with caplog.at_level(logging.INFO):
        blocked = SurveyDriver(app.test_client(), token).start(
            headers={"X-Forwarded-For": "203.0.113.7"}
        )
    assert blocked.status_code == 429
    lines = [r.getMessage() for r in caplog.records if r.name == "surveyapp.security"]
    assert lines == ["security event: rate limit reached on survey.begin (1 per 1 hour)"]
    for record in caplog.records:
        message = record.getMessage()
        assert token not in message
        assert "127.0.0.1" not in message
        assert "203.0.113.7" not in message


@pytest.mark.parametrize("value", ["lots", "10/fortnight", "", "-3/minute"])
def test_a_limit_that_is_not_a_limit_is_refused_with_its_variable_named(value):
    with pytest.raises(ValueError, match="SURVEYAPP_LIMIT_PAGE=") as raised:
        limits_from_environment({"SURVEYAPP_LIMIT_PAGE": value})
    assert "write it like '20000/hour'" in str(raised.value)


def test_every_limit_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for variable, default, _what in LIMITS.values():
        assert f"`{variable}`" in readme, variable
        assert f"`{default}`" in readme, default


def _sign_in_attempt(app, email):
    from ..accounts_driver import sign_in

    return sign_in(app.test_client(), email, "wrong password, every time").status_code


def test_sign_in_attempts_on_one_account_are_throttled_from_any_browser(limited_app, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_LIMIT_LOGIN_PER_ACCOUNT", "4/minute")
    monkeypatch.setenv("SURVEYAPP_LIMIT_LOGIN", "1000/minute")
    app = limited_app()
    statuses = [_sign_in_attempt(app, "staff@example.org") for _ in range(5)]
    assert statuses == [400] * 4 + [429]
    # Another account from the same address is not held back by it.
    assert _sign_in_attempt(app, "other@example.org") == 400


def test_sign_in_attempts_from_one_address_are_throttled_across_accounts(limited_app, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_LIMIT_LOGIN", "6/minute")
    app = limited_app()
    statuses = [_sign_in_attempt(app, f"user{n}@example.org") for n in range(7)]
    assert statuses == [400] * 6 + [429]


def _new_employer(console, name: str) -> int:
    form = {"name": name, "size_band": "1-49", "industry_code": "", "frontline_headcount": ""}
    return console.post("/staff/employers/new", form).status_code


def _employers_named(app, prefix: str) -> int:
    from surveyapp.models import Employer

    with app.app_context():
        query = select(func.count()).where(Employer.name.startswith(prefix))
        return db.session.scalar(query.select_from(Employer))


def test_forms_sent_by_one_account_are_limited_and_the_refused_one_changes_nothing(
    limited_app, monkeypatch
):
    from ..staff_driver import Console

    monkeypatch.setenv("SURVEYAPP_LIMIT_CONSOLE", "3/minute")
    app = limited_app()
    console = Console.make(app)
    statuses = [_new_employer(console, f"Limited {n}") for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert _employers_named(app, "Limited ") == 3
    # Reading pages is not limited; the console still opens.
    assert console.get("/staff/employers").status_code == 200


def test_the_console_limit_counts_the_account_not_the_browser_or_the_address(
    limited_app, monkeypatch
):
    from ..accounts_driver import make_user, sign_in
    from ..staff_driver import Console

    monkeypatch.setenv("SURVEYAPP_LIMIT_CONSOLE", "3/minute")
    app = limited_app()
    console = Console.make(app)
    assert [_new_employer(console, f"First {n}") for n in range(2)] == [302, 302]
    # The same account signed in on a second browser shares the count...
    second = Console(app, app.test_client(), console.partnership, console.other, console.email)
    assert sign_in(second.client, console.email).status_code == 302
    assert [_new_employer(second, f"Second {n}") for n in range(2)] == [302, 429]
    # ...while a colleague at the same address has a count of their own.
    colleague_email = make_user(app, "colleague@a.example.org", console.partnership)
    colleague = Console(app, app.test_client(), console.partnership, console.other, "")
    assert sign_in(colleague.client, colleague_email).status_code == 302
    assert _new_employer(colleague, "Colleague 0") == 302
    assert _employers_named(app, "First ") + _employers_named(app, "Second ") == 3


def test_employer_accounts_meet_the_console_limit_too(limited_app, monkeypatch):
    from ..staff_driver import Console
    from ..survey_driver import csrf_from

    monkeypatch.setenv("SURVEYAPP_LIMIT_CONSOLE", "2/minute")
    app = limited_app()
    employer = Console.make(app).employer_user()
    token = csrf_from(employer.get("/employer/"))
    statuses = [
        employer.post("/employer/waves/1/survey/send", data={"csrf_token": token}).status_code
        for _ in range(3)
    ]
    assert 429 not in statuses[:2]
    assert statuses[2] == 429
