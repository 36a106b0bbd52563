"""What one survey request needs from the database, read in one round trip.

A survey page needs the link, its wave, employer and partnership, and the worker's
draft. They are read with one SELECT (the draft by an outer join on its cookie's
HMAC) into small frozen records, rather than as ORM objects loaded one relation at
a time: a page save is then one read and one write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.engine import RowMapping

from ..db import Session
from ..models import DistributionLink, Draft, Employer, Partnership, Wave

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class WaveInfo:
    id: int
    name: str
    status: str
    closes_on: date | None
    min_group_size: int
    require_codes: bool
    show_exit_button: bool
    worker_instrument_key: str
    worker_instrument_version: int

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class EmployerInfo:
    id: int
    name: str


@dataclass(frozen=True)
class PartnershipInfo:
    id: int
    name: str
    quote_min_responses: int


@dataclass(frozen=True)
class LinkInfo:
    id: int
    token: str
    active: bool
    wave: WaveInfo
    employer: EmployerInfo
    partnership: PartnershipInfo

    @property
    def wave_id(self) -> int:
        return self.wave.id

    @property
    def employer_id(self) -> int:
        return self.employer.id


_L, _W, _E, _P, _D = (
    DistributionLink.__table__,
    Wave.__table__,
    Employer.__table__,
    Partnership.__table__,
    Draft.__table__,
)

_COLUMNS = (
    _L.c.id.label("link_id"),
    _L.c.token,
    _L.c.active,
    _W.c.id.label("wave_id"),
    _W.c.name.label("wave_name"),
    _W.c.status,
    _W.c.closes_on,
    _W.c.min_group_size,
    _W.c.require_codes,
    _W.c.show_exit_button,
    _W.c.worker_instrument_key,
    _W.c.worker_instrument_version,
    _E.c.id.label("employer_id"),
    _E.c.name.label("employer_name"),
    _P.c.id.label("partnership_id"),
    _P.c.name.label("partnership_name"),
    _P.c.quote_min_responses,
)
_DRAFT_COLUMNS = tuple(column.label(f"draft_{column.name}") for column in _D.c)


def _link_of(row: RowMapping) -> LinkInfo:
    return LinkInfo(
        id=row["link_id"],
        token=row["token"],
        active=bool(row["active"]),
        wave=WaveInfo(
            id=row["wave_id"],
            name=row["wave_name"],
            status=row["status"],
            closes_on=row["closes_on"],
            min_group_size=row["min_group_size"],
            require_codes=bool(row["require_codes"]),
            show_exit_button=bool(row["show_exit_button"]),
            worker_instrument_key=row["worker_instrument_key"],
            worker_instrument_version=row["worker_instrument_version"],
        ),
        employer=EmployerInfo(id=row["employer_id"], name=row["employer_name"]),
        partnership=PartnershipInfo(
            id=row["partnership_id"],
            name=row["partnership_name"],
            quote_min_responses=row["quote_min_responses"],
        ),
    )


def _statement(with_draft: bool) -> Select[Any]:
    statement = (
        select(*_COLUMNS)
        .select_from(_L)
        .join(_W, _W.c.id == _L.c.wave_id)
        .join(_E, _E.c.id == _L.c.employer_id)
        .join(_P, _P.c.id == _W.c.partnership_id)
        .where(_L.c.token == bindparam("token"))
    )
    if with_draft:
        statement = statement.add_columns(*_DRAFT_COLUMNS).outerjoin(
            _D, and_(_D.c.link_id == _L.c.id, _D.c.token_hash == bindparam("draft_hash"))
        )
    return statement


# Built once: a request only binds its token and draft hash (no query building, and
# SQLAlchemy's compiled-statement cache is hit by the same object every time).
_BY_TOKEN = _statement(with_draft=False)
_BY_TOKEN_WITH_DRAFT = _statement(with_draft=True)


def load(
    session: Session, token: str, draft_hash: str | None = None
) -> tuple[LinkInfo | None, dict[str, object] | None]:
    """The link for ``token`` and, if ``draft_hash`` is given, the draft row it finds.

    Malformed tokens are refused before the database is asked. The draft is joined
    only when it belongs to this link, so a draft cookie made on another employer's
    link finds nothing here. The statement runs on the session's connection (in its
    transaction), without the ORM's per-statement work: there are no ORM objects.
    """
    if not TOKEN_PATTERN.match(token):
        return None, None
    connection = session.connection()
    if draft_hash is None:
        result = connection.execute(_BY_TOKEN, {"token": token})
    else:
        result = connection.execute(
            _BY_TOKEN_WITH_DRAFT, {"token": token, "draft_hash": draft_hash}
        )
    row = result.mappings().first()
    if row is None:
        return None, None
    draft = None
    if draft_hash is not None and row["draft_id"] is not None:
        draft = {column.name: row[f"draft_{column.name}"] for column in _D.c}
    return _link_of(row), draft
