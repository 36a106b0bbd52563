"""The partnership, its employers and its survey rounds, as the token's user sees them.

A staff token sees the whole partnership; an employer token sees the partnership's
name and settings, its own employer, and the rounds it takes part in once they have
opened (as on the employer's home page). Anything else, another partnership's ids
included, answers the same 404 as an id that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, select

from ..extensions import db
from ..models import DistributionLink, Employer, Partnership, Wave
from .auth import Caller, caller
from .params import ID, PAGE_PARAMETERS, paginated, route


def partnership_json(partnership: Partnership) -> dict[str, Any]:
    return {
        "id": partnership.id,
        "name": partnership.name,
        "sector": partnership.sector,
        "region": partnership.region,
        "living_wage": float(partnership.living_wage),
        "min_group_size": partnership.min_group_size,
    }


def employer_json(employer: Employer) -> dict[str, Any]:
    return {
        "id": employer.id,
        "name": employer.name,
        "size_band": employer.size_band or None,
        "industry_code": employer.industry_code,
        "frontline_headcount": employer.frontline_headcount,
        "archived": employer.archived,
    }


def wave_json(wave: Wave) -> dict[str, Any]:
    return {
        "id": wave.id,
        "name": wave.name,
        "status": wave.status,
        "opens_on": wave.opens_on.isoformat() if wave.opens_on else None,
        "closes_on": wave.closes_on.isoformat() if wave.closes_on else None,
        "min_group_size": wave.min_group_size,
        "worker_instrument": {
            "key": wave.worker_instrument_key,
            "version": wave.worker_instrument_version,
        },
        "require_codes": wave.require_codes,
    }


def waves_of(who: Caller) -> Select[Any]:
    """The rounds ``who`` may see, oldest first."""
    query = select(Wave).where(Wave.partnership_id == who.partnership_id)
    if not who.is_staff:
        taking_part = select(DistributionLink.wave_id).where(
            DistributionLink.employer_id == who.employer_id
        )
        query = query.where(Wave.status != "draft", Wave.id.in_(taking_part))
    return query.order_by(Wave.id)


def visible_wave(wave_id: int) -> Wave:
    """Round ``wave_id`` if the caller may see it, else 404."""
    wave = db.session.scalar(waves_of(caller()).where(Wave.id == wave_id))
    if wave is None:
        abort(404)
    return wave


@route("/partnership")
def partnership() -> ResponseReturnValue:
    found = db.session.get(Partnership, caller().partnership_id)
    if found is None:  # pragma: no cover - a user always has a partnership (foreign key)
        abort(404)
    return jsonify(partnership_json(found))


@route("/employers", params=PAGE_PARAMETERS)
def employers() -> ResponseReturnValue:
    who = caller()
    query = select(Employer).where(Employer.partnership_id == who.partnership_id)
    if not who.is_staff:
        query = query.where(Employer.id == who.employer_id)
    return paginated(db.session, query.order_by(Employer.name, Employer.id), employer_json)


@route("/waves", params=PAGE_PARAMETERS)
def waves() -> ResponseReturnValue:
    return paginated(db.session, waves_of(caller()), wave_json)


@route(f"/waves/<{ID}:wave_id>")
def wave(wave_id: int) -> ResponseReturnValue:
    return jsonify(wave_json(visible_wave(wave_id)))
