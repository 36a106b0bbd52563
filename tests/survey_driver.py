"""Drive the worker survey through the Flask test client, as a browser would."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from surveyapp.instruments import Instrument, get_instrument

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(response: TestResponse) -> str:
    match = CSRF.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


def default_answers(instrument: Instrument) -> dict[str, Any]:
    """A complete, valid set of answers: the first real option of every choice item."""
    answers: dict[str, Any] = {}
    for item in instrument.items:
        if item.kind == "choice":
            answers[item.id] = next(o.code for o in item.options if not o.missing)
    answers["CHANGE"] = "More notice of schedule changes."
    return answers


class SurveyDriver:
    """One worker's browser: a test client and the survey link it opened."""

    def __init__(self, client: FlaskClient, token: str, language: str | None = None) -> None:
        self.client = client
        self.token = token
        self.instrument = get_instrument("worker", 2)  # the instrument new waves ask
        self.headers = {"Accept-Language": language} if language else {}
        self.csrf = ""

    @property
    def base(self) -> str:
        return f"/s/{self.token}"

    def get(self, path: str = "", **kwargs: Any) -> TestResponse:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = self.client.get(self.base + path, headers=headers, **kwargs)
        if "csrf_token" in response.get_data(as_text=True):
            self.csrf = csrf_from(response)
        return response

    def post(self, path: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        form = {"csrf_token": self.csrf, **data}
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.post(self.base + path, data=form, headers=headers, **kwargs)

    def start(self, code: str | None = None, **kwargs: Any) -> TestResponse:
        self.get()
        return self.post("/start", {"code": code} if code is not None else {}, **kwargs)

    def page_answers(self, number: int, answers: dict[str, Any]) -> dict[str, Any]:
        page = self.instrument.pages[number - 1]
        return {key: value for key, value in answers.items() if key in page.items}

    def answer_page(
        self,
        number: int,
        answers: dict[str, Any],
        action: str = "continue",
        query: str = "",
        **kwargs: Any,
    ) -> TestResponse:
        self.get(f"/p/{number}{query}", **kwargs)
        data = {"action": action, **self.page_answers(number, answers)}
        return self.post(f"/p/{number}{query}", data, **kwargs)

    def answer_all(self, answers: dict[str, Any] | None = None) -> None:
        answers = answers if answers is not None else default_answers(self.instrument)
        for number in range(1, len(self.instrument.pages) + 1):
            response = self.answer_page(number, answers)
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    def submit(self) -> TestResponse:
        self.get("/check")
        return self.post("/submit", {})

    def complete_started(self, answers: dict[str, Any] | None = None) -> TestResponse:
        """Answer every page and send, for a worker who has already started."""
        self.answer_all(answers)
        return self.submit()

    def complete(
        self, answers: dict[str, Any] | None = None, code: str | None = None
    ) -> TestResponse:
        started = self.start(code)
        assert started.status_code == 302, started.get_data(as_text=True)[:2000]
        self.answer_all(answers)
        return self.submit()
