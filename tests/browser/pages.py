"""Every page a worker can reach, and how to reach it: one line per page.

Each test module that checks "every page" (axe-core, screenshots, 200% zoom, large
text) walks this list, so a new worker-facing page is covered everywhere by adding
one ``PageCase`` here. Pages of other audiences (login, dashboards) use
``axe.assert_accessible(page, name)`` in their own tests, or a list like this one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Response as PageResponse

from .harness import WORKER, Worker, varied_answers

ANSWERS = varied_answers(comment="Más aviso cuando cambia el horario.\nAnd fair breaks.")
LAST = len(WORKER.pages)


@dataclass(frozen=True)
class PageCase:
    """A page and the steps that bring a worker to it (on a new phone, new wave)."""

    name: str
    reach: Callable[[Worker], PageResponse]
    status: int = 200

    def __str__(self) -> str:
        return self.name


def _question(number: int) -> Callable[[Worker], PageResponse]:
    def reach(worker: Worker) -> PageResponse:
        worker.begin()
        return worker.goto(f"/p/{number}")

    return reach


def _start_with_draft(worker: Worker) -> PageResponse:
    worker.seed(ANSWERS, range(1, 3))
    return worker.open()


def _on_wave(**options: object) -> Callable[[Worker], PageResponse]:
    def reach(worker: Worker) -> PageResponse:
        worker.token = worker.live.make_wave(**options)
        return worker.open()

    return reach


def _closed_page(worker: Worker) -> PageResponse:
    """A question page of a closed round (say, from an old bookmark)."""
    worker.token = worker.live.make_wave(status="closed")
    worker.open()
    return worker.goto("/p/1")


def _wrong_access_code(worker: Worker) -> PageResponse:
    worker.token = worker.live.make_wave(require_codes=True)
    worker.open()
    worker.page.locator("#code").fill("WRONG-12345")
    return worker.follow(f'form[action$="/{worker.token}/start"] button[type="submit"]')


def _question_errors(worker: Worker) -> PageResponse:
    worker.begin()
    worker.goto("/p/1")
    worker.choose("PAY2", 3)
    return worker.continue_()  # three questions left unanswered


def _every_error(number: int) -> Callable[[Worker], PageResponse]:
    def reach(worker: Worker) -> PageResponse:
        worker.begin()
        worker.goto(f"/p/{number}")
        return worker.continue_()  # nothing answered: every required question says so

    return reach


def _comment_too_long(worker: Worker) -> PageResponse:
    worker.begin()
    worker.goto("/p/9")
    worker.answer(9, {"G1": 2, "CHANGE": "Too long. " * 120})
    return worker.continue_()


def _saved(worker: Worker) -> PageResponse:
    worker.begin()
    worker.goto("/p/1")
    worker.answer(1, {"PAY1": 4, "PAY2": 2})
    return worker.save_for_later()


def _resume_error(worker: Worker) -> PageResponse:
    worker.goto("/resume")
    worker.page.locator("#code").fill("AAAA-BBBB-CCCC")
    return worker.follow('form[action$="/resume"] button[type="submit"]')


def _check(worker: Worker) -> PageResponse:
    worker.seed(ANSWERS)
    return worker.goto("/check")


def _check_errors(worker: Worker) -> PageResponse:
    worker.seed(ANSWERS, range(1, 4))
    worker.goto("/check")
    return worker.send()  # pages 4 onwards are not answered: the check page lists them


def _thanks(worker: Worker) -> PageResponse:
    worker.seed(ANSWERS)
    worker.goto("/check")
    return worker.send()


def _already(worker: Worker) -> PageResponse:
    _thanks(worker)
    return worker.goto()


def _not_found(worker: Worker) -> PageResponse:
    response = worker.page.goto(f"{worker.live.url}/s/this-link-does-not-exist")
    assert response is not None
    return response


def _too_large(worker: Worker) -> PageResponse:
    worker.begin()
    worker.goto("/p/9")
    # Far above the app's 64 KiB request limit: the server refuses it with 413.
    worker.page.locator("#CHANGE").fill("A long answer. " * 5000)
    return worker.continue_()


def _csrf_failure(worker: Worker) -> PageResponse:
    worker.begin()
    worker.goto("/p/1")
    # The session cookie holds the CSRF secret: without it the form has "timed out".
    worker.page.context.clear_cookies(name="session")
    worker.choose("PAY1", 1)
    return worker.continue_()


WORKER_PAGES: list[PageCase] = [
    PageCase("start", lambda w: w.open()),
    PageCase("start-with-draft", _start_with_draft),
    PageCase("start-expired", lambda w: w.goto("/p/1")),
    PageCase("start-exit-button", _on_wave(show_exit_button=True)),
    PageCase("start-access-code", _on_wave(require_codes=True)),
    PageCase("start-access-code-error", _wrong_access_code),
    *[PageCase(f"question-{n:02d}", _question(n)) for n in range(1, LAST + 1)],
    PageCase("question-errors", _question_errors),
    PageCase("question-01-every-error", _every_error(1)),
    PageCase("question-03-every-error", _every_error(3)),
    PageCase("question-comment-error", _comment_too_long),
    PageCase("saved-code", _saved),
    PageCase("resume", lambda w: w.goto("/resume")),
    PageCase("resume-error", _resume_error),
    PageCase("check", _check),
    PageCase("check-errors", _check_errors),
    PageCase("thanks", _thanks),
    PageCase("already-answered", _already),
    PageCase("error-404", _not_found, 404),
    PageCase("what-you-told-us", _on_wave(status="closed")),
    PageCase("error-410-closed", _closed_page, 410),
    PageCase("error-413-too-large", _too_large, 413),
    PageCase("error-400-csrf", _csrf_failure, 400),
]
