"""What the load tests find stored after a crowd: read through the app, which alone
can unseal the comments still waiting for release."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select, text

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.models import Comment, PendingComment
from surveyapp.sealing import pending_comment_key, unseal

from ..conftest import SECRET


@dataclass(frozen=True)
class Stored:
    #: How often each text was stored as a comment (the workers' markers are in them).
    markers: Counter[str]
    #: Answer rows of each stored response.
    per_response: list[int]
    #: Answer rows whose response is missing.
    orphans: int


def read_stored(url: str) -> Stored:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        key = pending_comment_key(SECRET)
        texts = [
            unseal(key, row.sealed_text, f"{row.id}:pending").decode()
            for row in db.session.scalars(select(PendingComment))
        ] + list(db.session.scalars(select(Comment.text)))
        per_response = list(
            db.session.execute(
                text(
                    "SELECT count(a.response_id) FROM responses r"
                    " LEFT JOIN answers a ON a.response_id = r.id GROUP BY r.id"
                )
            ).scalars()
        )
        orphans = int(
            db.session.execute(
                text(
                    "SELECT count(*) FROM answers a WHERE NOT EXISTS"
                    " (SELECT 1 FROM responses r WHERE r.id = a.response_id)"
                )
            ).scalar_one()
        )
        db.session.remove()
        db.engine.dispose()
    return Stored(Counter(texts), per_response, orphans)
