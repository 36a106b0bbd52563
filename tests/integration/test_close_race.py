"""A worker presses Send while staff close the round: the response is either in the
release or refused, never stored outside every release (anonymity rule 3 and "every
acknowledged response is counted"). Real threads, real database locks."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

import surveyapp.waves as waves_module
from surveyapp.db import begin_write
from surveyapp.extensions import db
from surveyapp.models import Response, Wave
from surveyapp.results import stored_release
from surveyapp.waves import close_wave

from ..accounts_driver import make_user, partnership_ids, sign_in
from ..factories import add_responses, link_for, make_wave
from ..survey_driver import SurveyDriver, csrf_from


def test_a_send_during_the_close_waits_for_it_and_is_refused(app, monkeypatch):
    """Staff close the round from the console while a worker's Send is on its way."""
    token = make_wave(app, k=3)[0]
    worker = SurveyDriver(app.test_client(), token)
    worker.start()
    worker.answer_all()
    with app.app_context():
        wave_id = link_for(token).wave_id
        add_responses(db.session.get(Wave, wave_id), [5, 0])

    outcome: dict[str, object] = {}
    real_compute = waves_module.compute_release

    def compute_while_a_worker_sends(session, wave, **kwargs):
        # The worker sends just as the release is being computed.
        sender = threading.Thread(target=lambda: outcome.update(status=worker.submit().status_code))
        sender.start()
        sender.join(1.5)
        outcome["waited"] = sender.is_alive()
        outcome["sender"] = sender
        return real_compute(session, wave, **kwargs)

    staff = app.test_client()
    sign_in(staff, make_user(app, "staff@example.org", partnership_ids(app)[-1]))
    confirm = staff.get(f"/staff/waves/{wave_id}/close")
    monkeypatch.setattr(waves_module, "compute_release", compute_while_a_worker_sends)
    closed = staff.post(f"/staff/waves/{wave_id}/close", data={"csrf_token": csrf_from(confirm)})
    assert closed.status_code == 302
    sender = outcome["sender"]
    assert isinstance(sender, threading.Thread)
    sender.join(30)
    assert outcome["waited"], "the send was stored while the release was being computed"
    assert outcome["status"] == 410  # the closed-survey page
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        stored = db.session.scalar(
            select(func.count()).select_from(Response).where(Response.wave_id == wave_id)
        )
        assert stored == stored_release(db.session, wave)["n_responses"] == 5


def test_a_send_just_before_the_close_is_in_the_release(app):
    token = make_wave(app, k=3)[0]
    with app.app_context():
        wave_id = link_for(token).wave_id
        add_responses(db.session.get(Wave, wave_id), [4, 0])
    assert SurveyDriver(app.test_client(), token).complete().status_code == 302
    with app.app_context():
        begin_write(db.session)
        close_wave(db.session, db.session.get(Wave, wave_id))
        db.session.commit()
        assert stored_release(db.session, db.session.get(Wave, wave_id))["n_responses"] == 5


def test_an_employer_save_during_the_close_waits_for_it_and_is_refused(app, monkeypatch):
    """An employer saves a page of its survey while staff close the round: the save
    waits for the close and is refused, so the stored claims are the ones the release
    was computed from."""
    from surveyapp.models import EmployerAnswer

    make_wave(app, k=3, employers=2)
    partnership = partnership_ids(app)[-1]
    with app.app_context():
        wave = db.session.scalar(select(Wave).where(Wave.partnership_id == partnership))
        wave_id = wave.id
        add_responses(wave, [5, 4])
        employer_id = wave.links[0].employer_id
    hr = app.test_client()
    sign_in(hr, make_user(app, "hr@example.org", partnership, employer_id=employer_id))
    page_url = f"/employer/waves/{wave_id}/survey/2"  # pay: E1, E2
    hr_token = csrf_from(hr.get(page_url))

    outcome: dict[str, object] = {}
    real_compute = waves_module.compute_release

    def compute_while_an_employer_saves(session, wave, **kwargs):
        def save() -> None:
            form = {"E1": "15", "E2": "16", "csrf_token": hr_token}
            outcome["status"] = hr.post(page_url, data=form).status_code

        saver = threading.Thread(target=save)
        saver.start()
        saver.join(1.5)
        outcome["waited"] = saver.is_alive()
        outcome["saver"] = saver
        return real_compute(session, wave, **kwargs)

    staff = app.test_client()
    sign_in(staff, make_user(app, "staff@example.org", partnership))
    confirm = staff.get(f"/staff/waves/{wave_id}/close")
    monkeypatch.setattr(waves_module, "compute_release", compute_while_an_employer_saves)
    closed = staff.post(f"/staff/waves/{wave_id}/close", data={"csrf_token": csrf_from(confirm)})
    assert closed.status_code == 302
    saver = outcome["saver"]
    assert isinstance(saver, threading.Thread)
    saver.join(30)
    assert outcome["waited"], "the save went through while the release was being computed"
    assert outcome["status"] == 409
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(EmployerAnswer))
    assert stored == 0
