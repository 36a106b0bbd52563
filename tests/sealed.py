"""Read what the app stores sealed, the way only the app can: with the right keys.

Drafts open with the worker's cookie (taken from the test client, as the worker's
browser holds it); pending comments with the app's secret key.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import PendingComment
from surveyapp.sealing import pending_comment_key, unseal
from surveyapp.survey import context
from surveyapp.survey.drafts import OpenDraft, cookie_digest, open_with_cookie


def draft_cookie(client: FlaskClient, token: str) -> str | None:
    cookie = client.get_cookie("draft", path=f"/s/{token}")
    return cookie.value if cookie is not None else None


def open_draft(app: Flask, client: FlaskClient, token: str) -> OpenDraft | None:
    """The draft this browser holds on this link, opened; None if there is none."""
    cookie = draft_cookie(client, token)
    if cookie is None:
        return None
    with app.app_context():
        link, row = context.load(db.session, token, cookie_digest(cookie))
        assert link is not None
        return open_with_cookie(row, link.id, cookie) if row is not None else None


def draft_answers(app: Flask, client: FlaskClient, token: str) -> dict[str, Any] | None:
    draft = open_draft(app, client, token)
    return None if draft is None else dict(draft.answers)


def pending_comment_texts(app: Flask) -> list[str]:
    with app.app_context():
        key = pending_comment_key(app.config["SECRET_KEY"])
        return sorted(
            unseal(key, row.sealed_text, f"{row.id}:pending").decode()
            for row in db.session.scalars(select(PendingComment))
        )
