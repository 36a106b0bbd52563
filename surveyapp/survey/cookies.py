"""The survey's two cookies: the draft cookie and the per-wave "already answered" mark.

Neither identifies a person: the draft cookie is a random value whose HMAC finds a
draft (a bare sent mark after submission), and the done mark has the same value for every
worker of a wave, so it says only "this browser has answered this wave". Over
HTTPS both carry the ``__Secure-`` prefix, so a sibling site on plain HTTP cannot
plant them (``__Host-`` needs ``Path=/``, and these are scoped to survey paths).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

#: How long the "already answered" mark lasts when the wave has no closing date.
DONE_DEFAULT = timedelta(days=90)


def _prefix() -> str:
    return "__Secure-" if current_app.config["HTTPS"] else ""


def draft_cookie_name() -> str:
    return f"{_prefix()}draft"


def done_cookie_name(wave_id: int) -> str:
    return f"{_prefix()}done{wave_id}"


def _done_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="surveyapp-done")


def has_answered(wave_id: int) -> bool:
    value = request.cookies.get(done_cookie_name(wave_id))
    if not value:
        return False
    try:
        return _done_serializer().loads(value) == wave_id
    except BadSignature:
        return False


def done_expires(closes_on: date | None, now: datetime | None = None) -> datetime:
    """When the mark expires: the end of the wave's closing day, never a time of day.

    A midnight boundary, so the cookie on a phone does not tell when it was sent.
    """
    now = now or datetime.now(UTC)
    today = now.date()
    if closes_on is not None and closes_on >= today:
        last_day = closes_on
    elif closes_on is not None:
        # A wave still open after its planned closing day: until the end of tomorrow.
        last_day = today + timedelta(days=1)
    else:
        last_day = today + DONE_DEFAULT
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=UTC)


def mark_answered(response: Response, wave_id: int, closes_on: date | None) -> None:
    response.set_cookie(
        done_cookie_name(wave_id),
        _done_serializer().dumps(wave_id),
        expires=done_expires(closes_on),
        path="/s/",
        secure=current_app.config["HTTPS"],
        httponly=True,
        samesite="Lax",
    )


def draft_cookie() -> str | None:
    return request.cookies.get(draft_cookie_name())


def set_draft_cookie(response: Response, token: str, value: str) -> None:
    response.set_cookie(
        draft_cookie_name(),
        value,
        max_age=timedelta(days=current_app.config["DRAFT_DAYS"]),
        # Scoped to this survey link, so two links on one phone keep two drafts.
        path=f"/s/{token}",
        secure=current_app.config["HTTPS"],
        httponly=True,
        samesite="Lax",
    )


def clear_draft_cookie(response: Response, token: str) -> None:
    response.delete_cookie(
        draft_cookie_name(),
        path=f"/s/{token}",
        secure=current_app.config["HTTPS"],
        httponly=True,
        samesite="Lax",
    )
