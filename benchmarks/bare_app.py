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
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from flask import Flask, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import Integer, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column

QUESTIONS = int(os.environ.get("BARE_QUESTIONS", "5"))
#: "performance": PERFORMANCE.md's own bare app, a compact 40-question form of about
#: 17 KB with answers 1..5 (the baseline issue 8's targets were set against);
#: "same": a page in surveyapp's style, sized like the survey page measured.
STYLE = os.environ.get("BARE_STYLE", "same")
OPTIONS = (
    ["Never", "Rarely", "Sometimes", "Often", "Always"]
    if STYLE == "performance"
    else ["Never", "Rarely", "Sometimes", "Often", "Always", "Prefer not to say"]
)


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


def create(url: str | None = None) -> Flask:
    if not 1 <= QUESTIONS <= MAX_QUESTIONS:
        raise ValueError(f"BARE_QUESTIONS must be between 1 and {MAX_QUESTIONS}")
    app = Flask(__name__)
    # A template from a loader, as an app's templates folder would be: compiled once and
    # cached (render_template_string would compile it on every request).
    app.jinja_loader = DictLoader({"page.html": COMPACT_PAGE if STYLE == "performance" else PAGE})
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
            if STYLE == "same"
            else f"{n}. My schedule was posted in advance.",
        }
        for n in range(1, QUESTIONS + 1)
    ]
    options = list(enumerate(OPTIONS, start=1))

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
            if not raw.isdigit() or not 1 <= int(raw) <= len(OPTIONS):
                abort(400)
            values[q["name"]] = int(raw)
        db.session.add(Row(**values))
        db.session.commit()
        return redirect(f"/p/{number + 1}")

    return app
