"""Anonymity rule 10: a wave's protective settings are locked once it opens."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import DistributionLink, Wave
from surveyapp.waves import WaveLocked, change_settings, close_wave, open_wave

from ..factories import make_wave


def _wave() -> Wave:
    return db.session.scalar(select(Wave))


def test_draft_wave_settings_can_change(app):
    make_wave(app, status="draft")
    with app.app_context():
        wave = _wave()
        change_settings(wave, min_group_size=8, require_codes=True, name="Renamed")
        db.session.commit()
        assert (wave.min_group_size, wave.require_codes, wave.name) == (8, True, "Renamed")


@pytest.mark.parametrize(
    "setting",
    [
        {"min_group_size": 3},
        {"require_codes": True},
        {"worker_instrument_version": 1},  # new waves ask v2
        {"worker_instrument_key": "other"},
    ],
)
def test_open_wave_refuses_changes_to_locked_settings(app, setting):
    make_wave(app, status="open")
    with app.app_context():
        wave = _wave()
        before = {name: getattr(wave, name) for name in setting}
        with pytest.raises(WaveLocked):
            change_settings(wave, **setting)
        db.session.rollback()
        assert {name: getattr(_wave(), name) for name in setting} == before


def test_open_wave_may_still_change_its_name_and_dates(app):
    make_wave(app, status="open")
    with app.app_context():
        k = _wave().min_group_size
        change_settings(
            _wave(),
            name="Autumn",
            show_exit_button=True,
            opens_on=date(2027, 3, 1),
            closes_on=date(2027, 4, 30),
        )
        # Setting a locked value to what it already is is not a change.
        change_settings(_wave(), min_group_size=k)
        db.session.commit()
        db.session.expire_all()
        wave = _wave()
        assert (wave.name, wave.show_exit_button, wave.min_group_size) == ("Autumn", True, k)
        assert (wave.opens_on, wave.closes_on) == (date(2027, 3, 1), date(2027, 4, 30))


def test_k_can_never_go_below_three(app):
    make_wave(app, status="draft")
    with app.app_context(), pytest.raises(ValueError, match="below 3"):
        change_settings(_wave(), min_group_size=2)


def test_database_refuses_k_below_three_too(app):
    make_wave(app, status="draft")
    with app.app_context():
        wave = _wave()
        wave.min_group_size = 2
        with pytest.raises(Exception, match="(?i)check|constraint"):
            db.session.commit()
        db.session.rollback()


def test_unknown_setting_is_refused(app):
    make_wave(app, status="draft")
    with app.app_context(), pytest.raises(ValueError, match="unknown wave setting"):
        change_settings(_wave(), status="closed")


def test_opening_makes_links_and_takes_the_partnership_k_if_higher(app):
    make_wave(app, status="draft", employers=3, k=5)
    with app.app_context():
        wave = _wave()
        wave.partnership.min_group_size = 7
        wave.min_group_size = 5
        db.session.execute(db.delete(DistributionLink))
        db.session.flush()
        db.session.expire_all()
        open_wave(db.session, _wave())
        db.session.commit()
        wave = _wave()
        assert wave.status == "open"
        assert wave.min_group_size == 7
        tokens = [link.token for link in wave.links]
        assert len(tokens) == 3
        assert len(set(tokens)) == 3
        assert all(len(t) >= 22 for t in tokens)  # at least 128 bits of base64


def test_only_draft_waves_open_and_only_open_waves_close(app):
    make_wave(app, status="closed")
    with app.app_context():
        with pytest.raises(WaveLocked):
            open_wave(db.session, _wave())
        with pytest.raises(WaveLocked):
            close_wave(db.session, _wave())
