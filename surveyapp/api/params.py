"""Routes, their allowed query parameters, and pagination of lists.

Each route names the query parameters it takes (:func:`route`); anything else, or a
parameter given twice, is refused with 400 rather than ignored, so a mistyped
``?per-page=`` or a token pasted into the URL does not pass silently (ASVS 2.2.1,
allow-list validation).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import jsonify, request, url_for
from flask.wrappers import Response
from sqlalchemy import Select, func, select

from ..db import Session
from . import bp
from .errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])

#: Endpoint -> the query parameters it takes.
QUERY_PARAMETERS: dict[str, frozenset[str]] = {}
PAGE_PARAMETERS = ("page", "per_page")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000
#: Database ids are 32-bit; a bigger number in a path could never match, and would
#: overflow the database's integer (an error, not a 404) if it reached a query.
MAX_ID = 2**31 - 1
ID = f"int(min=1, max={MAX_ID})"
_NUMBER = re.compile(r"[1-9][0-9]{0,6}")


def route(rule: str, *, params: Sequence[str] = ()) -> Callable[[F], F]:
    """A GET route on the API blueprint taking only the query parameters ``params``.

    OPTIONS is not answered automatically: every other method gets a JSON 405.
    """

    def register(view: F) -> F:
        QUERY_PARAMETERS[f"{bp.name}.{view.__name__}"] = frozenset(params)
        return bp.get(rule, provide_automatic_options=False)(view)

    return register


@bp.before_request
def _check_query() -> None:
    allowed = QUERY_PARAMETERS.get(request.endpoint or "", frozenset())
    for name, values in request.args.lists():
        if name not in allowed:
            # The name is not echoed: nothing the caller sent comes back.
            takes = ", ".join(sorted(allowed)) or "none"
            raise ApiError(400, f"Unknown query parameter. This endpoint takes: {takes}.")
        if len(values) > 1:
            raise ApiError(400, "Give each query parameter at most once.")


@dataclass(frozen=True)
class Page:
    number: int
    size: int


def page_asked() -> Page:
    """``?page=`` (from 1) and ``?per_page=`` (1 to 100) of a list request."""
    return Page(
        _whole("page", 1, MAX_PAGE, 1),
        _whole("per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE),
    )


def _whole(name: str, low: int, high: int, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    value = int(raw) if _NUMBER.fullmatch(raw) else None
    if value is None or not low <= value <= high:
        raise ApiError(400, f"{name} must be a whole number from {low} to {high}.")
    return value


def paginated(
    session: Session, query: Select[Any], serialise: Callable[[Any], dict[str, Any]]
) -> Response:
    """One page of ``query``'s rows as ``{"items", "pagination", "links"}``, with an
    RFC 8288 ``Link`` header; links are relative (never built from the Host header)."""
    page = page_asked()
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.scalars(query.limit(page.size).offset((page.number - 1) * page.size)).all()
    pages = max(1, math.ceil(total / page.size))

    def link(number: int) -> str:
        return url_for(
            request.endpoint or "", **(request.view_args or {}), page=number, per_page=page.size
        )

    links: dict[str, str | None] = {
        "self": link(page.number),
        "first": link(1),
        "last": link(pages),
        "next": link(page.number + 1) if page.number < pages else None,
        "prev": link(min(page.number - 1, pages)) if page.number > 1 else None,
    }
    body = {
        "items": [serialise(row) for row in rows],
        "pagination": {
            "page": page.number,
            "per_page": page.size,
            "total": total,
            "pages": pages,
        },
        "links": links,
    }
    response = jsonify(body)
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items() if url and rel != "self"
    )
    return response
