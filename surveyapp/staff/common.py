"""What every staff page needs: the user's partnership, their own rows, public links."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from ..extensions import db
from ..models import DistributionLink, Employer, Partnership, Response, Wave

T = TypeVar("T")


def partnership() -> Partnership:
    found = db.session.get(Partnership, current_user.partnership_id)
    if found is None:  # pragma: no cover - a user always has a partnership (foreign key)
        abort(404)
    return found


def own(model: type[T], ident: int) -> T:
    """The row ``ident`` of ``model`` if it belongs to the signed-in user's partnership.

    Another partnership's id answers 404 exactly like an id that does not exist.
    """
    row: Any = db.session.get(model, ident)
    if isinstance(row, DistributionLink):
        owner = row.wave.partnership_id
    else:
        owner = getattr(row, "partnership_id", None)
    if row is None or owner != current_user.partnership_id:
        abort(404)
    return row


def own_link(wave: Wave, link_id: int) -> DistributionLink:
    link = own(DistributionLink, link_id)
    if link.wave_id != wave.id:
        abort(404)
    return link


def name_taken(model: type[Employer | Wave], name: str, own_id: int | None) -> bool:
    """Another employer (or round) of the partnership has ``name``, ignoring case."""
    query = select(model.id).where(
        model.partnership_id == current_user.partnership_id,
        func.lower(model.name) == name.lower(),
    )
    if own_id is not None:
        query = query.where(model.id != own_id)
    return db.session.scalar(query) is not None


def posted_yes_no(name: str) -> bool:
    """The form's ``name`` field, which must be "yes" or "no" (else 400)."""
    value = request.form.get(name)
    if value not in ("yes", "no"):
        abort(400)
    return value == "yes"


def partnership_waves() -> list[Wave]:
    return list(
        db.session.scalars(
            select(Wave).where(Wave.partnership_id == current_user.partnership_id).order_by(Wave.id)
        )
    )


def public_base() -> str:
    """The address workers use: SURVEYAPP_PUBLIC_URL, else the one staff are using."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") or request.host_url.rstrip("/")


def survey_url(token: str) -> str:
    return f"{public_base()}/s/{token}"


def response_counts(wave_id: int) -> dict[int, int]:
    """Responses per employer in a wave (staff see every count, rule 9)."""
    return dict(
        db.session.execute(
            select(Response.employer_id, func.count())
            .where(Response.wave_id == wave_id)
            .group_by(Response.employer_id)
        ).all()
    )


def wave_counts() -> dict[int, int]:
    """Responses per wave of the signed-in user's partnership."""
    return dict(
        db.session.execute(
            select(Response.wave_id, func.count())
            .join(Wave, Wave.id == Response.wave_id)
            .where(Wave.partnership_id == current_user.partnership_id)
            .group_by(Response.wave_id)
        ).all()
    )
