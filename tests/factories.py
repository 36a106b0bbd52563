"""Test data: one function per model family, with safe defaults."""

from __future__ import annotations

import itertools
from decimal import Decimal

from flask import Flask

from surveyapp.extensions import db
from surveyapp.models import DistributionLink, Employer, Partnership, Wave
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


def link_for(token: str) -> DistributionLink:
    """The link row for a token (call inside an app context)."""
    return db.session.query(DistributionLink).filter_by(token=token).one()
