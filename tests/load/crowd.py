"""Virtual workers that keep trying through a crash, for the durability load test.

Built on tests/load_workers.py's ``Browser`` (one phone: its own keep-alive
connection and cookies). Unlike the shift-change workers, these behave like people
whose phone shows an error: they wait a moment and try again, until an overall
deadline. Every worker writes a unique marker in the free-text box, so the stored
comments say whose answers arrived (comments are stored apart from responses, with no
link back, so a marker is the only way to recognise one).

Some workers press "Save and finish later" early, wait until the server has been
killed and started again, then open their save code on another phone (a new
browser, no cookies) and finish there. A worker whose Send got no answer (the
connection died with the server) either presses Send again or opens the link again,
half each.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from dataclasses import dataclass, field

from ..load_workers import Browser, WorkerFailed, WorkerResult, _path_of, pick_answers

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_SAVE_CODE = re.compile(r'class="code"[^>]*><strong>([A-Z0-9-]+)</strong>')
_CHECKED = re.compile(r'<input type="radio"[^>]*\bname="([^"]+)" value="([^"]*)" checked')


@dataclass
class Outcome:
    marker: str
    language: str
    #: thanked | told_already | failed
    result: str = "failed"
    detail: str = ""
    requests: int = 0
    #: Requests sent again after no answer or a 503.
    retries: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    #: The save code, when this worker saved to finish later, and whether it was
    #: saved before the crash.
    save_code: str = ""
    saved_before_crash: bool = False
    #: Resumed on another phone with the code, the saved answers all there.
    resumed: bool = False
    #: The Send got no answer: a thank-you page that may have been lost.
    send_lost: bool = False
    send_again_mode: str = ""


@dataclass
class CrowdPlan:
    workers: int
    arrival_seconds: float
    think_min: float = 0.05
    think_max: float = 0.3
    save_share: float = 0.25
    spanish_share: float = 0.3
    #: How long a worker keeps trying (through every outage of the test).
    give_up_seconds: float = 150.0
    seed: int = 13


class CrashProofWorker:
    def __init__(
        self,
        port: int,
        token: str,
        plan: CrowdPlan,
        rng: random.Random,
        marker: str,
        restarted: threading.Event,
        crashed: threading.Event,
    ) -> None:
        self.port = port
        self.token = token
        self.plan = plan
        self.rng = rng
        self.restarted = restarted
        self.crashed = crashed
        language = "es" if rng.random() < plan.spanish_share else "en"
        self.outcome = Outcome(marker=marker, language=language)
        self.saver = rng.random() < plan.save_share
        self.browser = self._new_browser()
        self.give_up = 0.0

    @property
    def base(self) -> str:
        return f"/s/{self.token}"

    def _new_browser(self) -> Browser:
        return Browser("127.0.0.1", self.port, self.outcome.language, WorkerResult())

    def _think(self) -> None:
        time.sleep(self.rng.uniform(self.plan.think_min, self.plan.think_max))

    def _once(self, method: str, path: str, form: dict[str, str] | None) -> tuple[int, str, str]:
        # A fresh result each time: Browser caps requests per result, and this worker
        # may need many through an outage.
        self.browser.result = WorkerResult(language=self.outcome.language)
        self.outcome.requests += 1
        try:
            status, location, body = self.browser.request(method, path, form)
        except http.client.HTTPException as exc:
            # The server died while sending the answer (IncompleteRead and the like).
            self.browser.close()
            raise WorkerFailed("error", f"{method} {path}: {exc!r}") from exc
        self.outcome.statuses[status] = self.outcome.statuses.get(status, 0) + 1
        return status, location, body

    def _call(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        """One request, tried again after no answer or a 503, until the worker gives up;
        redirects are followed. Returns (status, body) and the final path in self.path."""
        while True:
            try:
                status, location, body = self._once(method, path, form)
            except WorkerFailed as failed:
                self._wait_and_retry(f"{method} {path}: {failed.detail}")
                continue
            if status == 503:
                self._wait_and_retry(f"{method} {path}: 503")
                continue
            if status in (302, 303) and location:
                method, path, form = "GET", _path_of(location), None
                continue
            self.path = path
            return status, body

    def _wait_and_retry(self, detail: str) -> None:
        if time.monotonic() > self.give_up:
            raise WorkerFailed("failed", f"gave up: {detail}")
        self.outcome.retries += 1
        # A person looks at the error for a moment and presses the button again.
        time.sleep(self.rng.uniform(0.3, 0.8))

    def _expect_page(self, status: int, body: str) -> str:
        if status != 200:
            raise WorkerFailed("failed", f"{self.path}: HTTP {status}")
        return body

    @staticmethod
    def _csrf(body: str) -> str:
        found = _CSRF.search(body)
        if not found:
            raise WorkerFailed("failed", "page has no CSRF token")
        return found.group(1)

    def _answers(self, body: str) -> dict[str, str]:
        answers = pick_answers(body, self.outcome.language, self.rng)
        answers.pop("CHANGE", None)
        if 'name="CHANGE"' in body:
            answers["CHANGE"] = self.outcome.marker
        return answers

    def run(self, arrival: float) -> Outcome:
        self.give_up = arrival + self.plan.give_up_seconds
        time.sleep(max(0.0, arrival - time.monotonic()))
        try:
            self._walk()
        except WorkerFailed as failed:
            self.outcome.result = "failed"
            self.outcome.detail = failed.detail
        except Exception as exc:  # noqa: BLE001 - one worker's bug must not hang the run
            self.outcome.result = "failed"
            self.outcome.detail = f"client bug: {exc!r}"
        finally:
            self.browser.close()
        return self.outcome

    def _walk(self) -> None:
        body = self._expect_page(*self._call("GET", self.base))
        self._think()
        body = self._expect_page(
            *self._call("POST", f"{self.base}/start", {"csrf_token": self._csrf(body)})
        )
        save_at = self.rng.randint(2, 4) if self.saver else 0
        saved: dict[str, str] = {}
        while re.fullmatch(rf"{re.escape(self.base)}/p/\d+", self.path):
            number = int(self.path.rsplit("/", 1)[1])
            answers = self._answers(body)
            self._think()
            action = "save" if number == save_at and not self.outcome.save_code else "continue"
            form = {"csrf_token": self._csrf(body), "action": action, **answers}
            page_path = self.path
            body = self._expect_page(*self._call("POST", page_path, form))
            if action == "save":
                saved = {k: v for k, v in answers.items() if k != "CHANGE"}
                body = self._resume_elsewhere(body, number, saved)
        if self.path != f"{self.base}/check":
            raise WorkerFailed("failed", f"after the last page: {self.path}")
        self._think()
        self._send(body)

    def _resume_elsewhere(self, body: str, number: int, saved: dict[str, str]) -> str:
        """Save, wait out the crash, and finish on another phone with the save code."""
        found = _SAVE_CODE.search(body)
        if self.path != f"{self.base}/saved" or not found:
            raise WorkerFailed("failed", f"save gave {self.path}, no save code")
        self.outcome.save_code = found.group(1)
        self.outcome.saved_before_crash = not self.crashed.is_set()
        self.restarted.wait(self.plan.give_up_seconds)
        self.browser.close()
        self.browser = self._new_browser()
        body = self._expect_page(*self._call("GET", f"{self.base}/resume"))
        form = {"csrf_token": self._csrf(body), "code": self.outcome.save_code}
        body = self._expect_page(*self._call("POST", f"{self.base}/resume", form))
        # The saved page, opened on the new phone, has every answer saved on it.
        page = self._expect_page(*self._call("GET", f"{self.base}/p/{number}"))
        shown = dict(_CHECKED.findall(page))
        if any(shown.get(k) != v for k, v in saved.items()):
            raise WorkerFailed("failed", f"resumed page {number} lost saved answers")
        self.outcome.resumed = True
        return self._expect_page(*self._call("GET", f"{self.base}/p/{number + 1}"))

    def _send(self, body: str) -> None:
        form = {"csrf_token": self._csrf(body)}
        try:
            status, location, body = self._once("POST", f"{self.base}/submit", form)
        except WorkerFailed:
            status, location = 0, ""
        if status in (302, 303) and location.endswith("/thanks"):
            self._finish(*self._call("GET", _path_of(location)))
            return
        # No answer (the server died), or a 503: the thank-you page may be lost.
        self.outcome.send_lost = status == 0
        self.outcome.send_again_mode = self.rng.choice(["send again", "open the link again"])
        self._wait_and_retry(f"POST submit: {status}")
        if self.outcome.send_again_mode == "send again":
            self._finish(*self._call("POST", f"{self.base}/submit", form))
            return
        status, body = self._call("GET", self.base)
        if ALREADY_TEXT[self.outcome.language] in body:
            self._finish(status, body)
            return
        # Not stored: the link offers to continue; the check page, then Send.
        body = self._expect_page(*self._call("GET", f"{self.base}/check"))
        self._finish(*self._call("POST", f"{self.base}/submit", {"csrf_token": self._csrf(body)}))

    def _finish(self, status: int, body: str) -> None:
        if status == 200 and self.path.endswith("/thanks") and self._thanks_in(body):
            self.outcome.result = "thanked"
        elif status == 200 and ALREADY_TEXT[self.outcome.language] in body:
            self.outcome.result = "told_already"
        else:
            raise WorkerFailed("failed", f"after sending: {self.path} HTTP {status}")

    def _thanks_in(self, body: str) -> bool:
        return THANKS_TEXT[self.outcome.language] in body


THANKS_TEXT = {
    "en": "Thank you: your answers have been sent",
    "es": "Gracias: sus respuestas se enviaron",
}
ALREADY_TEXT = {"en": "Your answers were already sent", "es": "Sus respuestas ya se enviaron"}


def run_crowd(
    port: int,
    tokens: list[str],
    plan: CrowdPlan,
    crashed: threading.Event,
    restarted: threading.Event,
) -> list[Outcome]:
    """Run the crowd on threads; return every worker's outcome when all have stopped."""
    master = random.Random(plan.seed)
    start = time.monotonic() + 0.3
    workers = [
        CrashProofWorker(
            port,
            tokens[i % len(tokens)],
            plan,
            random.Random(master.random()),
            f"marker-{plan.seed}-{i:05d}-{master.getrandbits(32):08x}",
            restarted,
            crashed,
        )
        for i in range(plan.workers)
    ]
    arrivals = sorted(start + master.uniform(0, plan.arrival_seconds) for _ in workers)
    outcomes: list[Outcome | None] = [None] * len(workers)

    def body(index: int) -> None:
        outcomes[index] = workers[index].run(arrivals[index])

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(plan.arrival_seconds + plan.give_up_seconds + 60)
    return [o if o is not None else w.outcome for o, w in zip(outcomes, workers, strict=True)]
