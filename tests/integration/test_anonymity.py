"""Anonymity rules 1, 4 and 5 of DESIGN.md, attacked from several sides."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, inspect, select

from surveyapp.extensions import db
from surveyapp.models import AccessCode, Comment, PendingComment, Response, Wave
from surveyapp.settling import BATCH, settle_wave
from surveyapp.survey.services import new_access_codes
from surveyapp.waves import close_wave

from ..factories import link_for, make_wave
from ..survey_driver import SurveyDriver, default_answers

PACKAGE = Path(__file__).resolve().parents[2] / "surveyapp"
CANARY_UA = "CanaryAgent/7.7 (unique-ua-4f1b)"
CANARY_IP = "203.0.113.77"
CANARY_REFERER = "https://canary-referer.example/4f1b"


def _all_database_text(app) -> str:
    """Every value in every table, as text: what someone with the database would see."""
    with app.app_context():
        parts = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                parts.append(" ".join(str(value) for value in row))
        return "\n".join(parts)


def test_nothing_identifying_a_device_is_stored_or_logged(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    token = make_wave(app)[0]
    driver = SurveyDriver(client, token)
    driver.headers = {
        "User-Agent": CANARY_UA,
        "X-Forwarded-For": CANARY_IP,
        "Referer": CANARY_REFERER,
    }
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    assert driver.complete().status_code == 302
    stored = _all_database_text(app)
    for canary in (CANARY_UA, CANARY_IP, CANARY_REFERER, "198.51.100.23", "unique-ua-4f1b"):
        assert canary not in stored
        assert canary not in caplog.text


def test_response_tables_have_no_column_that_could_identify_or_time_a_worker(app):
    forbidden = re.compile(
        r"ip|addr|agent|user|email|name|phone|device|cookie|session|time|created"
    )
    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("responses", "answers", "comments", "pending_comments", "access_codes"):
            for column in inspector.get_columns(table):
                assert not forbidden.search(column["name"]), (table, column["name"])
                # Dates only: no column may hold a time of day.
                assert not isinstance(column["type"], sa.DateTime | sa.Time), (table, column)


def test_free_text_has_no_link_back_to_its_response(app):
    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("comments", "pending_comments"):
            columns = {c["name"] for c in inspector.get_columns(table)}
            assert not any("response" in name for name in columns)
            targets = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert "responses" not in targets
            assert "submitted_on" not in columns


def test_comments_are_released_in_shuffled_batches_only(app):
    token = make_wave(app)[0]
    texts = [f"comment number {i}" for i in range(BATCH + 3)]
    for text in texts[: BATCH - 1]:
        answers = default_answers(SurveyDriver(app.test_client(), token).instrument)
        answers["CHANGE"] = text
        SurveyDriver(app.test_client(), token).complete(answers)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
        assert db.session.scalar(select(func.count()).select_from(PendingComment)) == BATCH - 1
    answers["CHANGE"] = texts[BATCH - 1]
    SurveyDriver(app.test_client(), token).complete(answers)
    with app.app_context():
        released = db.session.scalars(select(Comment.text)).all()
        assert sorted(released) == sorted(texts[:BATCH])
        assert db.session.scalar(select(func.count()).select_from(PendingComment)) == 0
        # Comment ids are fresh random values, unrelated to the pending rows.
        ids = db.session.scalars(select(Comment.id)).all()
        assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)


def test_closing_a_wave_releases_every_pending_comment(app):
    token = make_wave(app)[0]
    SurveyDriver(app.test_client(), token).complete()
    with app.app_context():
        wave = db.session.scalar(select(Wave))
        close_wave(db.session, wave)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(PendingComment)) == 0
        assert db.session.scalar(select(Comment.text)) == "More notice of schedule changes."


@pytest.mark.postgres
def test_released_comments_do_not_share_a_transaction_with_their_response(postgres_app):
    """PostgreSQL's xmin would tie a comment to its response if written together."""
    app = postgres_app
    token = make_wave(app)[0]
    for i in range(BATCH):
        driver = SurveyDriver(app.test_client(), token)
        answers = default_answers(driver.instrument)
        answers["CHANGE"] = f"text {i}"
        driver.complete(answers)
    with app.app_context():
        response_xids = set(db.session.scalars(sa.text("SELECT xmin::text FROM responses")))
        comment_xids = set(db.session.scalars(sa.text("SELECT xmin::text FROM comments")))
    assert len(comment_xids) == 1
    assert not comment_xids & response_xids


def test_single_use_codes_are_stored_hashed_and_never_linked(app, client):
    token = make_wave(app, require_codes=True)[0]
    with app.app_context():
        codes = new_access_codes(db.session, link_for(token), 3)
        db.session.commit()
        stored = db.session.scalars(select(AccessCode.code_hash)).all()
        columns = {c["name"] for c in inspect(db.engine).get_columns("access_codes")}
    assert columns == {"code_hash", "link_id", "status"}
    for code in codes:
        assert all(code.replace("-", "") not in value for value in stored)
    assert SurveyDriver(client, token).complete(code=codes[0]).status_code == 302
    text = _all_database_text(app)
    assert codes[0] not in text
    assert codes[0].replace("-", "") not in text


def test_single_use_code_works_once(app):
    token = make_wave(app, require_codes=True)[0]
    with app.app_context():
        code = new_access_codes(db.session, link_for(token), 1)[0]
        db.session.commit()
    first = SurveyDriver(app.test_client(), token)
    assert first.complete(code=code).status_code == 302
    second = SurveyDriver(app.test_client(), token)
    second.get()
    refused = second.post("/start", {"code": code})
    assert "That one-time code does not work" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_code_spent_by_another_browser_meanwhile_stores_nothing(app):
    """Two workers start with the same code; only the first submission counts."""
    token = make_wave(app, require_codes=True)[0]
    with app.app_context():
        code = new_access_codes(db.session, link_for(token), 1)[0]
        db.session.commit()
    first, second = (SurveyDriver(app.test_client(), token) for _ in range(2))
    for driver in (first, second):
        assert driver.start(code).status_code == 302
        driver.answer_all()
    assert first.submit().status_code == 302
    late = second.submit()
    assert late.status_code == 409
    assert "That one-time code has already been used" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_code_wave_refuses_missing_and_wrong_codes(app, client):
    token = make_wave(app, require_codes=True)[0]
    driver = SurveyDriver(client, token)
    page = driver.get().get_data(as_text=True)
    assert "One-time code from your slip" in page
    missing = driver.post("/start", {"code": ""}).get_data(as_text=True)
    assert "Enter the one-time code from your slip." in missing
    wrong = driver.post("/start", {"code": "ABCDE-23456"}).get_data(as_text=True)
    assert "That one-time code does not work" in wrong


def test_a_code_of_one_employer_does_not_open_another(app):
    tokens = make_wave(app, require_codes=True, employers=2)
    with app.app_context():
        code = new_access_codes(db.session, link_for(tokens[0]), 1)[0]
        db.session.commit()
    driver = SurveyDriver(app.test_client(), tokens[1])
    driver.get()
    assert "That one-time code does not work" in driver.post("/start", {"code": code}).get_data(
        as_text=True
    )


def test_spent_codes_are_settled_in_batches(app):
    token = make_wave(app, require_codes=True)[0]
    with app.app_context():
        codes = new_access_codes(db.session, link_for(token), BATCH)
        db.session.commit()
    for code in codes:
        SurveyDriver(app.test_client(), token).complete(code=code)
    with app.app_context():
        statuses = db.session.scalars(select(AccessCode.status)).all()
        assert statuses == ["settled"] * BATCH
        wave_id = db.session.scalar(select(Wave.id))
        assert settle_wave(db.session, wave_id, force=True) == (0, 0)


def test_duplicate_mark_is_the_same_for_every_worker(app):
    token = make_wave(app)[0]
    marks = []
    for _ in range(2):
        client = app.test_client()
        SurveyDriver(client, token).complete()
        marks.append({c.key: c.value for c in client._cookies.values() if c.key.startswith("done")})
    assert marks[0] == marks[1]
    assert len(marks[0]) == 1


def test_forged_duplicate_mark_is_ignored(app, client):
    token = make_wave(app)[0]
    with app.app_context():
        wave_id = db.session.scalar(select(Wave.id))
    client.set_cookie(f"done{wave_id}", "forged.value", path="/s/")
    assert "Start the survey" in client.get(f"/s/{token}").get_data(as_text=True)


def test_submission_clears_the_draft_and_its_cookie(app, client):
    token = make_wave(app)[0]
    response = SurveyDriver(client, token).complete()
    set_cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("draft=;") for c in set_cookies)
    assert client.get(f"/s/{token}/check").status_code == 200  # "already answered" page
    assert "already answered" in client.get(f"/s/{token}/check").get_data(as_text=True)


def test_survey_code_never_reads_the_client_address_or_user_agent():
    """Only ratelimit.py may see the address, and it keeps only a salted hash."""
    pattern = re.compile(r"remote_addr|user_agent|User-Agent|X-Forwarded|HTTP_X_|access_route")
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "ratelimit.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def test_rate_limit_key_is_a_salted_hash_not_an_address(sqlite_app):
    from surveyapp.ratelimit import anonymous_client_key

    with sqlite_app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        key = anonymous_client_key()
    assert "192.0.2.1" not in key
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    import hashlib

    assert key != hashlib.sha256(b"192.0.2.1").hexdigest()[:32]
