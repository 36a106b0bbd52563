"""The browser-test harness: Chromium, a live server, a worker who drives the survey.

Everything here is real: Debian's Chromium (never a browser Playwright downloads),
the app served over HTTP on 127.0.0.1, and a SQLite database made by the migrations.
"""

from __future__ import annotations

import os
import random
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Locator, Page
from playwright.sync_api import Response as PageResponse
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from surveyapp.instruments import Instrument, Item, get_instrument

from ..accounts_driver import PASSWORD, fresh_code
from ..factories import make_wave

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Where the live server serves axe-core's script (see LiveServer).
AXE_URL = "/__axe__/axe.min.js"

CHROMIUM = os.environ.get("SURVEYAPP_CHROMIUM", "/usr/bin/chromium")
# Flags from MACHINE-NOTES.md: no sandbox as root, and nothing that phones home (on a
# closed network those calls only produce refused connections). Playwright adds
# --headless and a fresh temporary user-data folder itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "install Chromium with `apt-get install chromium chromium-driver` and axe-core with "
    "`npm ci` at the repository root"
)

#: A small phone, in CSS pixels (the issue's 360 x 740).
PHONE = {"width": 360, "height": 740}
#: Accept-Language headers a phone set to each language sends.
ACCEPT_LANGUAGE = {"en": "en-US,en;q=0.9", "es": "es-MX,es;q=0.9"}
LOCALE = {"en": "en-US", "es": "es-MX"}

WORKER = get_instrument("worker", 2)  # the instrument new waves ask


def browser_required() -> bool:
    """True in CI (CI is set) or when SURVEYAPP_REQUIRE_BROWSER=1: never skip there."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return in_ci or os.environ.get("SURVEYAPP_REQUIRE_BROWSER") == "1"


def unavailable(problem: str) -> None:
    """Fail (CI, or SURVEYAPP_REQUIRE_BROWSER=1) or skip, saying how to install."""
    if browser_required():
        pytest.fail(
            f"browser tests cannot run: {problem}. They must run here because CI or "
            f"SURVEYAPP_REQUIRE_BROWSER=1 is set; {INSTALL_HINT}.",
            pytrace=False,
        )
    pytest.skip(f"browser tests skipped: {problem}; to run them, {INSTALL_HINT}")


# ----------------------------------------------------------------- the live server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LiveServer:
    """The app served over real HTTP on 127.0.0.1, in a thread, for one test session.

    Every test makes its own wave (so its own links and rows); tests never share data.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        # axe-core is served beside the app under /__axe__/ (same origin, so the
        # page's CSP allows it, and cacheable, so Chromium compiles it once).
        wsgi = SharedDataMiddleware(app, {AXE_URL.rsplit("/", 1)[0]: str(AXE_JS.parent)})
        self.server = self._bind(wsgi)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def _bind(app: Any) -> BaseWSGIServer:
        # Below 32768: load tests fill the ephemeral range with TIME-WAIT sockets
        # (MACHINE-NOTES.md), so port 0 could hand out a port that then fails.
        ports = random.sample(range(20000, 32000), 40)
        for port in ports:
            try:
                return make_server(
                    "127.0.0.1", port, app, threaded=True, request_handler=_QuietHandler
                )
            except OSError:
                continue
        raise RuntimeError("no free port between 20000 and 32000 for the live server")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def make_wave(self, **options: Any) -> str:
        """A new partnership and wave; returns its first link token."""
        return make_wave(self.app, **options)[0]

    @contextmanager
    def db(self) -> Iterator[None]:
        """An app context, for queries through the app's own database session."""
        with self.app.app_context():
            yield

    def t(self, lang: str, message: str, **values: Any) -> str:
        """The app's own translation of an interface string."""
        with self.app.test_request_context(), force_locale(lang):
            return gettext(message, **values)


# ----------------------------------------------------------------- screenshots


def sign_in_page(
    page: Page, server: LiveServer, email: str, *, query: str = "", password: str = PASSWORD
) -> None:
    """Sign in on the page as a person would: email and password, then the one-time
    password from the app if the account has a second factor."""
    page.goto(f"{server.url}/login{query}")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if page.url.split("?", 1)[0] == f"{server.url}/login/code":
        page.fill("#code", fresh_code(server.app, email))
        page.click("main button[type=submit]")
        page.wait_for_load_state()


def screenshot(page: Page, name: str, *, scale: Literal["css", "device"] = "css") -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png.

    ``scale="css"`` (one image pixel per CSS pixel) keeps a phone's screenshot 360
    pixels wide and quick to take; ``"device"`` shows what the screen shows.
    """
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, animations="disabled", scale=scale)
    return path


# ----------------------------------------------------------------- answers


def option_codes(item: Item) -> list[int]:
    return [option.code for option in item.options]


def varied_answers(instrument: Instrument = WORKER, comment: str = "") -> dict[str, Any]:
    """Answers that differ from item to item, with one honest "prefer not to say".

    Every choice item gets a different option position, so a stored answer can only
    match if the click reached the right radio button.
    """
    answers: dict[str, Any] = {}
    for index, item in enumerate(instrument.items):
        if item.kind != "choice":
            continue
        real = [option.code for option in item.options if not option.missing]
        answers[item.id] = real[(index * 2 + 1) % len(real)]
    answers["RES2"] = 99  # "Prefer not to say" is stored as an answer, not as a gap
    del answers["SCH2"]  # an optional question left empty is not stored at all
    if comment:
        answers["CHANGE"] = comment
    return answers


def page_answers(number: int, answers: dict[str, Any]) -> dict[str, Any]:
    items = WORKER.pages[number - 1].items
    return {key: value for key, value in answers.items() if key in items}


# ----------------------------------------------------------------- the worker


@dataclass
class Worker:
    """One worker with one phone (a Playwright page) and one survey link."""

    page: Page
    live: LiveServer
    token: str
    lang: str = "en"
    touch: bool = True

    # -- navigation

    def url(self, path: str = "") -> str:
        return f"{self.live.url}/s/{self.token}{path}"

    def goto(self, path: str = "") -> PageResponse:
        response = self.page.goto(self.url(path))
        assert response is not None
        return response

    def press(self, target: Locator | str) -> None:
        """Tap (touch phones) or click an element, as a person would."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        if self.touch:
            locator.tap()
        else:
            locator.click()

    def follow(self, target: Locator | str) -> PageResponse:
        """Press a link or a submit button and wait for the next page."""
        with self.page.expect_navigation() as navigation:
            self.press(target)
        return navigation.value

    def t(self, message: str, **values: Any) -> str:
        return self.live.t(self.lang, message, **values)

    # -- what the page shows

    def heading(self) -> str:
        return self.page.locator("h1").inner_text().strip()

    def html_lang(self) -> str | None:
        return self.page.locator("html").get_attribute("lang")

    def checked(self, item_id: str) -> str | None:
        locator = self.page.locator(f'input[name="{item_id}"]:checked')
        return locator.get_attribute("value") if locator.count() else None

    # -- survey steps

    def open(self) -> PageResponse:
        response = self.goto()
        if self.lang != "en" and self.html_lang() != self.lang:
            # The worker picks the language from the switch at the top of the page.
            response = self.follow(f'.langs a[hreflang="{self.lang}"]')
        assert self.html_lang() == self.lang
        return response

    def start(self) -> PageResponse:
        self.open()
        return self.follow(f'form[action$="/{self.token}/start"] button[type="submit"]')

    def choose(self, item_id: str, code: int | str) -> None:
        self.press(f'label[for="{item_id}-{code}"]')

    def answer(self, number: int, answers: dict[str, Any]) -> None:
        """Fill in this page's questions (the page must be showing)."""
        for item_id, value in page_answers(number, answers).items():
            if WORKER.item(item_id).kind == "choice":
                self.choose(item_id, value)
            else:
                self.page.locator(f"#{item_id}").fill(str(value))

    def continue_(self) -> PageResponse:
        return self.follow('button[name="action"][value="continue"]')

    def save_for_later(self) -> PageResponse:
        return self.follow('button[name="action"][value="save"]')

    def send(self) -> PageResponse:
        return self.follow(f'form[action$="/{self.token}/submit"] button[type="submit"]')

    def resume_code(self) -> str:
        code = self.page.locator(".code strong").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
        return code

    # -- fast set-up through HTTP, sharing the browser's cookies

    def _csrf_of(self, path: str) -> str:
        body = self.page.context.request.get(self.url(path), headers=self._headers()).text()
        match = re.search(r'name="csrf_token" value="([^"]+)"', body)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def _headers(self) -> dict[str, str]:
        return {"Accept-Language": ACCEPT_LANGUAGE[self.lang]}

    def begin(self) -> None:
        """Start a draft over HTTP with this browser's cookies (no page is shown).

        For tests about a page (axe, reflow) rather than about getting there, which
        the flow tests cover through the real buttons.
        """
        started = self.page.context.request.post(
            self.url("/start"),
            form={"csrf_token": self._csrf_of("")},
            headers=self._headers(),
            max_redirects=0,
        )
        assert started.status == 302, started.text()[:500]

    def seed(self, answers: dict[str, Any], pages: range | None = None) -> None:
        """:meth:`begin`, then answer pages over HTTP as the Continue button would."""
        self.begin()
        for number in range(1, len(WORKER.pages) + 1) if pages is None else pages:
            form = {"csrf_token": self._csrf_of(f"/p/{number}"), "action": "continue"}
            form.update({k: str(v) for k, v in page_answers(number, answers).items()})
            saved = self.page.context.request.post(
                self.url(f"/p/{number}"), form=form, headers=self._headers(), max_redirects=0
            )
            assert saved.status == 302, saved.text()[:500]


# ----------------------------------------------------------------- page checks

#: JavaScript: is the page wider than the screen, and is any text cut off?
OVERFLOW_JS = """
() => {
  const root = document.documentElement;
  const clipped = [];
  for (const el of document.querySelectorAll('body *')) {
    const style = getComputedStyle(el);
    // Text boxes scroll their own text; that is how they work, not text cut off.
    if (el.closest('.vh, .skip') || style.display === 'none' ||
        ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue;
    const clips = ['hidden', 'clip'].includes(style.overflowX);
    if (clips && el.scrollWidth > el.clientWidth + 1) {
      clipped.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
                   (el.textContent || '').trim().slice(0, 40));
    }
  }
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > root.clientWidth + 1 && !el.closest('.vh, .skip')) {
      wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' ' +
                Math.round(r.right) + 'px ' + (el.textContent || '').trim().slice(0, 30));
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
          innerWidth: window.innerWidth, clipped, wide: wide.slice(0, 5)};
}
"""


def reflow_problems(page: Page) -> list[str]:
    """What stops this page reading without horizontal scrolling; [] when fine."""
    found = page.evaluate(OVERFLOW_JS)
    problems = []
    if found["scrollWidth"] > found["clientWidth"]:
        problems.append(
            f"scrolls sideways: {found['scrollWidth']}px of content in "
            f"{found['clientWidth']}px; widest: {found['wide']}"
        )
    if found["clipped"]:
        problems.append(f"text cut off in {found['clipped'][:5]}")
    return problems


#: JavaScript: where keyboard focus is, and whether it can be seen.
#: A focus style counts when the focused element looks different from the same element
#: unfocused (a copy placed beside it for a moment) by a visible outline, a box shadow,
#: a background or a border. Radio buttons here are drawn by their label's ::before
#: (the input itself is transparent), so that is where their focus must show.
FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {ok: false, inView: false, what: 'nothing (focus is on the page itself)'};
  }
  const props = ['outlineStyle', 'outlineWidth', 'outlineColor', 'boxShadow',
                 'backgroundColor', 'borderTopWidth', 'borderTopColor'];
  const snap = (node, pseudo) => {
    const s = getComputedStyle(node, pseudo);
    return Object.fromEntries(props.map(p => [p, s[p]]));
  };
  const hiddenInput = getComputedStyle(el).opacity === '0' && el.labels && el.labels.length;
  const holder = hiddenInput ? el.closest('.choice div') || el.parentElement : el;
  const shown = hiddenInput ? el.labels[0] : el;
  const pseudo = hiddenInput ? '::before' : null;
  const focused = snap(shown, pseudo);
  const copy = holder.cloneNode(true);
  // Nameless, so a copied checked radio cannot uncheck the real one in its group.
  copy.querySelectorAll('[name]').forEach(n => n.removeAttribute('name'));
  if (copy.hasAttribute('name')) copy.removeAttribute('name');
  holder.after(copy);
  const copyShown = hiddenInput ? copy.querySelector('label') : copy;
  const plain = snap(copyShown, pseudo);
  copy.remove();
  const clear = c => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const indicators = [];
  if (focused.outlineStyle !== 'none' && parseFloat(focused.outlineWidth) >= 2 &&
      !clear(focused.outlineColor) &&
      (focused.outlineStyle !== plain.outlineStyle || focused.outlineColor !== plain.outlineColor
       || focused.outlineWidth !== plain.outlineWidth)) indicators.push('outline');
  if (focused.boxShadow !== 'none' && focused.boxShadow !== plain.boxShadow)
    indicators.push('box-shadow');
  if (focused.backgroundColor !== plain.backgroundColor && !clear(focused.backgroundColor))
    indicators.push('background');
  if (focused.borderTopWidth !== plain.borderTopWidth ||
      focused.borderTopColor !== plain.borderTopColor) indicators.push('border');
  const r = shown.getBoundingClientRect();
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 &&
                 r.top < window.innerHeight && r.left < window.innerWidth;
  const text = (el.innerText || el.value || el.labels?.[0]?.innerText || '').trim();
  const what = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
               (el.type ? '[' + el.type + ']' : '') + (text ? ' "' + text.slice(0, 40) + '"' : '');
  return {ok: indicators.length > 0, inView, what, indicators};
}
"""


def focus_state(page: Page) -> dict[str, Any]:
    return page.evaluate(FOCUS_JS)
