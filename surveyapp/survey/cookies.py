"""The survey's two cookies: the draft cookie and the per-wave "already answered" mark.

Neither identifies a person: the draft cookie is a random value whose HMAC finds a
draft (deleted on submission), and the done mark has the same value for every
worker of a wave, so it says only "this browser has answered this wave".
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeSerializer

DRAFT_COOKIE = "draft"
DONE_MAX_AGE = timedelta(days=365)


def _done_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="surveyapp-done")


def _done_name(wave_id: int) -> str:
    return f"done{wave_id}"


def has_answered(wave_id: int) -> bool:
    value = request.cookies.get(_done_name(wave_id))
    if not value:
        return False
    try:
        return _done_serializer().loads(value) == wave_id
    except BadSignature:
        return False


def mark_answered(response: Response, wave_id: int) -> None:
    response.set_cookie(
        _done_name(wave_id),
        _done_serializer().dumps(wave_id),
        max_age=DONE_MAX_AGE,
        path="/s/",
        secure=current_app.config["HTTPS"],
        httponly=True,
        samesite="Lax",
    )


def draft_cookie() -> str | None:
    return request.cookies.get(DRAFT_COOKIE)


def set_draft_cookie(response: Response, token: str, value: str) -> None:
    response.set_cookie(
        DRAFT_COOKIE,
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
        DRAFT_COOKIE,
        path=f"/s/{token}",
        secure=current_app.config["HTTPS"],
        httponly=True,
        samesite="Lax",
    )
