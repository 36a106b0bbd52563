"""Test data: one function per model family, with safe defaults."""

from __future__ import annotations

import itertools
import secrets
from datetime import date
from decimal import Decimal

import numpy as np
from flask import Flask
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import Answer, DistributionLink, Employer, Partnership, Response, Wave
from surveyapp.scoring import choice_item_ids
from surveyapp.waves import ensure_links

_names = itertools.count(1)


def make_wave(
    app: Flask,
    *,
    status: str = "open",
    employers: int = 2,
    require_codes: bool = False,
    show_exit_button: bool = False,
    k: int = 5,
) -> list[str]:
    """A partnership with ``employers`` employers and one wave; returns the link tokens."""
    with app.app_context():
        number = next(_names)
        partnership = Partnership(
            name=f"Test Partnership {number}",
            sector="Healthcare",
            region="Test Valley",
            living_wage=Decimal("24.00"),
            min_group_size=k,
            quote_min_responses=max(10, k),
        )
        db.session.add(partnership)
        for index in range(employers):
            db.session.add(Employer(partnership=partnership, name=f"Employer {number}-{index + 1}"))
        wave = Wave(
            partnership=partnership,
            name=f"Wave {number}",
            status=status,
            min_group_size=k,
            require_codes=require_codes,
            show_exit_button=show_exit_button,
        )
        db.session.add(wave)
        db.session.flush()
        tokens = [link.token for link in ensure_links(db.session, wave)]
        db.session.commit()
        return tokens


def add_responses(wave: Wave, sizes: list[int], seed: int = 1) -> None:
    """``sizes[i]`` complete responses (every choice item answered, no "prefer not to say")
    for the i-th employer of the wave's partnership by name; commits. Call inside an app
    context."""
    instrument = get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
    employers = db.session.scalars(
        select(Employer)
        .where(Employer.partnership_id == wave.partnership_id)
        .order_by(Employer.name)
    )
    rng = np.random.default_rng(seed)
    choices = {
        item_id: [o.code for o in instrument.item(item_id).options if not o.missing]
        for item_id in choice_item_ids(instrument)
    }
    for employer, size in zip(employers, sizes, strict=False):
        for _ in range(size):
            response = Response(
                id=secrets.token_hex(16),
                wave_id=wave.id,
                employer_id=employer.id,
                instrument_key=instrument.key,
                instrument_version=instrument.version,
                instrument_checksum=instrument.checksum,
                language=str(rng.choice(["en", "es"])),
                submitted_on=date(2027, 3, 1),
            )
            db.session.add(response)
            db.session.add_all(
                Answer(response_id=response.id, item_id=item_id, code=int(rng.choice(codes)))
                for item_id, codes in choices.items()
            )
    db.session.commit()


def link_for(token: str) -> DistributionLink:
    """The link row for a token (call inside an app context)."""
    return db.session.query(DistributionLink).filter_by(token=token).one()
