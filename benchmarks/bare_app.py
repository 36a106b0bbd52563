"""The bare Flask + SQLAlchemy app that bench_pages.py measures surveyapp against.

As PERFORMANCE.md describes it: GET renders a radio form with a plain Jinja loop; POST
validates integers by hand and inserts one row through the ORM, then redirects (as a
survey page save does). No CSRF, no session, no rate limit, no translations: it is
the floor of what this stack costs per request, not a rival design.

Its page has BARE_QUESTIONS questions with 6 options each, question and option text
about as long as the worker instrument's, inside a page shell of similar size.
bench_pages.py runs it with 40 questions by default, PERFORMANCE.md's baseline (the
one issue 8's targets were set against), or, with ``--baseline same``, with as many
questions as the surveyapp page measured (a stricter comparison). It prints both
pages' sizes.

Served with gunicorn: ``gunicorn 'bare_app:create()'`` with BARE_DATABASE_URL set.
SQLite gets the same settings as surveyapp (WAL, synchronous=FULL, 30 s busy timeout).

With BARE_WALK set (JSON, see :func:`walk_routes`), it also serves a whole survey
walk for bench_walk.py, under the same paths as surveyapp's (``/s/<token>``, ``/start``,
``/p/<n>``, ``/check``, ``/submit``, ``/thanks``): the same number of pages, each
with the same radio groups and text boxes and padded to the same size in bytes as
surveyapp's page. Answers travel between pages in a plain cookie (no signing, no
sealing, no database), and the send inserts one row per walk through the ORM and
commits: the same durability as surveyapp's stored response, none of its drafts.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import urllib.parse
from typing import Any

from flask import Flask, abort, make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import Integer, Text, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column

QUESTIONS = int(os.environ.get("BARE_QUESTIONS", "5"))
#: "performance": PERFORMANCE.md's own bare app, a compact 40-question form of about
#: 17 KB with answers 1..5 (the baseline issue 8's targets were set against);
#: "same": a page in surveyapp's style, sized like the survey page measured.
STYLE = os.environ.get("BARE_STYLE", "same")


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


#: The most questions a bare page can have: PERFORMANCE.md's baseline form has 40.
MAX_QUESTIONS = 40

# One integer column per question.
Row = type(
    "Row",
    (db.Model,),
    {
        "__tablename__": "bare_rows",
        "id": mapped_column(Integer, primary_key=True),
        **{f"q{n}": mapped_column(Integer, nullable=True) for n in range(1, MAX_QUESTIONS + 1)},
    },
)


class Walk(db.Model):  # type: ignore[name-defined,misc]
    """One finished walk: every answer in one row (bench_walk.py)."""

    __tablename__ = "bare_walks"
    id = mapped_column(Integer, primary_key=True)
    answers = mapped_column(Text, nullable=False)


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection: Any, _record: Any) -> None:
    # The same durability surveyapp asks of SQLite (surveyapp/db.py).
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – Step {{ number }} of 10</title>
<link rel="stylesheet" href="/static/bare.css">
</head>
<body>
<header class="top"><span class="brand">A regional sector partnership</span></header>
<main id="main">
<a class="back" href="/p/{{ number - 1 }}">Back</a>
<p class="step">Step {{ number }} of 10</p>
<h1>{{ title }}</h1>
<p>These questions are about the last four weeks at work. Choose the answer that fits best.</p>
<form method="post" action="/p/{{ number }}" novalidate>
  {% for q in questions %}
  <div class="field">
    <fieldset class="choice">
      <legend class="question">{{ q.text }}</legend>
      {% for code, label in options %}
      <div class="option">
        <input type="radio" id="{{ q.name }}-{{ code }}" name="{{ q.name }}" value="{{ code }}">
        <label for="{{ q.name }}-{{ code }}">{{ label }}</label>
      </div>
      {% endfor %}
    </fieldset>
  </div>
  {% endfor %}
  <div class="actions">
    <button class="button" type="submit" name="action" value="continue">Continue</button>
    <button class="button button--secondary" type="submit" name="action" value="save">Save and
    finish later</button>
  </div>
</form>
</main>
</body>
</html>
"""


COMPACT_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ title }}</title></head>
<body>
<h1>{{ title }}</h1>
<form method="post" action="/p/{{ number }}" novalidate>
{% for q in questions %}<fieldset><legend>{{ q.text }}</legend>
{% for code, label in options -%}
<label><input type="radio" name="{{ q.name }}" value="{{ code }}"> {{ label }}</label>
{% endfor %}</fieldset>
{% endfor %}<button type="submit">Continue</button>
</form>
</body>
</html>
"""


def create(url: str | None = None, questions: int | None = None, style: str | None = None) -> Flask:
    """The bare app; ``questions`` and ``style`` default to BARE_QUESTIONS and BARE_STYLE."""
    count = questions or QUESTIONS
    style = style or STYLE
    if not 1 <= count <= MAX_QUESTIONS:
        raise ValueError(f"BARE_QUESTIONS must be between 1 and {MAX_QUESTIONS}")
    labels = (
        ["Never", "Rarely", "Sometimes", "Often", "Always"]
        if style == "performance"
        else ["Never", "Rarely", "Sometimes", "Often", "Always", "Prefer not to say"]
    )
    app = Flask(__name__)
    # A template from a loader, as an app's templates folder would be: compiled once and
    # cached (render_template_string would compile it on every request).
    app.jinja_loader = DictLoader(
        {"page.html": COMPACT_PAGE if style == "performance" else PAGE, "walk.html": WALK_SHELL}
    )
    url = url or os.environ["BARE_DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30.0}}
    db.init_app(app)
    questions = [
        {
            "name": f"q{n}",
            "text": f"Question {n}: how often did your supervisor change your shift with less "
            "than a day's notice?"
            if style == "same"
            else f"{n}. My schedule was posted in advance.",
        }
        for n in range(1, count + 1)
    ]
    options = list(enumerate(labels, start=1))

    @app.get("/p/<int:number>")
    def page(number: int) -> ResponseReturnValue:
        return render_template(
            "page.html",
            title="Scheduling and working time",
            number=number,
            questions=questions,
            options=options,
        )

    @app.post("/p/<int:number>")
    def save(number: int) -> ResponseReturnValue:
        values: dict[str, int] = {}
        for q in questions:
            raw = request.form.get(q["name"], "")
            # Validated by hand: an integer among the options' codes.
            if not raw.isdigit() or not 1 <= int(raw) <= len(labels):
                abort(400)
            values[q["name"]] = int(raw)
        db.session.add(Row(**values))
        db.session.commit()
        return redirect(f"/p/{number + 1}")

    walk = os.environ.get("BARE_WALK")
    if walk:
        walk_routes(app, json.loads(walk))
    return app


WALK_SHELL = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="stylesheet" href="/static/bare.css">
</head>
<body>
<header class="top"><span class="brand">A regional sector partnership</span></header>
<main id="main">
<h1>{{ title }}</h1>
{% if questions is defined %}
<form method="post" action="{{ action }}" novalidate>
<input type="hidden" name="csrf_token" value="-">
{% for name, count in questions %}<fieldset class="choice"><legend class="question">Question
{{ name }}: how often did your supervisor change your shift with less than a day's notice?
</legend>
{% for code in range(1, count + 1) %}<div class="option"><input type="radio" \
id="{{ name }}-{{ code }}" name="{{ name }}" value="{{ code }}">\
<label for="{{ name }}-{{ code }}">Option {{ code }}</label></div>
{% endfor %}</fieldset>
{% endfor %}{% for name in texts %}<label class="question" for="{{ name }}">Anything else?</label>
<textarea class="textarea" id="{{ name }}" name="{{ name }}" rows="5"></textarea>
{% endfor %}<button class="button" type="submit" name="action" value="continue">Continue</button>
</form>
{% elif answers is defined %}
<dl>{% for name, value in answers %}<dt>{{ name }}</dt><dd>{{ value }}</dd>{% endfor %}</dl>
<form method="post" action="{{ action }}" novalidate>
<input type="hidden" name="csrf_token" value="-">
<button class="button" type="submit">Send my answers</button>
</form>
{% elif action %}
<form method="post" action="{{ action }}" novalidate>
<input type="hidden" name="csrf_token" value="-">
<button class="button" type="submit">Start the survey</button>
</form>
{% endif %}
<p class="padding">{{ padding }}</p>
</main>
</body>
</html>
"""

#: The cookie the bare walk keeps its answers in (urlencoded, then base64 so the
#: cookie value needs no quoting).
WALK_COOKIE = "walk"


def walk_routes(app: Flask, spec: dict[str, Any]) -> None:
    """A survey walk shaped like surveyapp's, from bench_walk.py's description of it.

    ``spec``: ``{"token_length": n, "start": bytes, "check": bytes, "thanks": bytes,
    "pages": [{"bytes": n, "radios": [options per group], "texts": k}, ...]}``. Each page
    is rendered with a plain Jinja loop and padded to its byte size (the padding is
    computed once here; the check page's is measured with every comment 40 characters
    long, so it varies by a few bytes with the answers, as surveyapp's does).
    """
    pages = spec["pages"]
    token = "t" * spec["token_length"]
    groups = [
        [(f"p{n}q{i}", count) for i, count in enumerate(page["radios"], start=1)]
        for n, page in enumerate(pages, start=1)
    ]
    texts = [[f"p{n}t{i}" for i in range(1, page["texts"] + 1)] for n, page in enumerate(pages, 1)]
    required = {name: count for page_groups in groups for name, count in page_groups}
    # The check page lists every answer: measured with the longest comment a walk sends.
    longest_answers = [(name, "9") for name in required] + [
        (name, "x" * 40) for page_texts in texts for name in page_texts
    ]

    def padding(target: int, **context: Any) -> str:
        with app.test_request_context():
            size = len(render_template("walk.html", padding="", **context).encode())
        return "." * max(0, target - size)

    pads = {
        "start": padding(spec["start"], title="Start", action=f"/s/{token}/start"),
        "check": padding(
            spec["check"], title="Check", action=f"/s/{token}/submit", answers=longest_answers
        ),
        "thanks": padding(spec["thanks"], title="Thank you", action=""),
    }
    page_pads = [
        padding(
            page["bytes"],
            title=f"Page {n}",
            action=f"/s/{token}/p/{n}",
            questions=groups[n - 1],
            texts=texts[n - 1],
        )
        for n, page in enumerate(pages, start=1)
    ]

    def read_cookie() -> dict[str, str]:
        raw = request.cookies.get(WALK_COOKIE, "")
        try:
            return dict(urllib.parse.parse_qsl(base64.urlsafe_b64decode(raw).decode()))
        except ValueError:
            abort(400)

    def with_cookie(target: str, answers: dict[str, str]) -> Any:
        response = redirect(target)
        encoded = base64.urlsafe_b64encode(urllib.parse.urlencode(answers).encode()).decode()
        response.set_cookie(WALK_COOKIE, encoded, httponly=True, samesite="Lax")
        return response

    @app.get("/s/<token>")
    def walk_start(token: str) -> ResponseReturnValue:
        return render_template(
            "walk.html", title="Start", action=f"/s/{token}/start", padding=pads["start"]
        )

    @app.post("/s/<token>/start")
    def walk_begin(token: str) -> ResponseReturnValue:
        return with_cookie(f"/s/{token}/p/1", {})

    @app.route("/s/<token>/p/<int:number>", methods=["GET", "POST"])
    def walk_page(token: str, number: int) -> ResponseReturnValue:
        if not 1 <= number <= len(pages):
            abort(404)
        if request.method == "GET":
            return render_template(
                "walk.html",
                title=f"Page {number}",
                action=f"/s/{token}/p/{number}",
                questions=groups[number - 1],
                texts=texts[number - 1],
                padding=page_pads[number - 1],
            )
        answers = read_cookie()
        for name, count in groups[number - 1]:
            raw = request.form.get(name, "")
            # Validated by hand: one of the group's codes.
            if not raw.isdigit() or not 1 <= int(raw) <= count:
                abort(400)
            answers[name] = raw
        for name in texts[number - 1]:
            text = request.form.get(name, "")
            if len(text) > 2000:
                abort(400)
            if text:
                answers[name] = text
        after = f"/s/{token}/p/{number + 1}" if number < len(pages) else f"/s/{token}/check"
        return with_cookie(after, answers)

    @app.get("/s/<token>/check")
    def walk_check(token: str) -> ResponseReturnValue:
        return render_template(
            "walk.html",
            title="Check",
            action=f"/s/{token}/submit",
            answers=sorted(read_cookie().items()),
            padding=pads["check"],
        )

    @app.post("/s/<token>/submit")
    def walk_submit(token: str) -> ResponseReturnValue:
        answers = read_cookie()
        if any(name not in answers for name in required):
            abort(400)
        db.session.add(Walk(answers=json.dumps(answers)))
        db.session.commit()
        response = make_response(redirect(f"/s/{token}/thanks"))
        response.delete_cookie(WALK_COOKIE)
        return response

    @app.get("/s/<token>/thanks")
    def walk_thanks(token: str) -> ResponseReturnValue:
        return render_template("walk.html", title="Thank you", action="", padding=pads["thanks"])
