"""Fixtures for the browser tests: one Chromium and one live server per test session.

When Chromium or axe-core is missing, the tests skip on a developer's machine and
fail in CI (``CI`` set) or with ``SURVEYAPP_REQUIRE_BROWSER=1``; see harness.unavailable.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from surveyapp import create_app

from .harness import (
    ACCEPT_LANGUAGE,
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LOCALE,
    PHONE,
    LiveServer,
    Worker,
    unavailable,
)

SECRET = "browser-test-secret-0123456789abcdef-0123456789"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    manager = sync_playwright()
    driver = manager.start()
    yield driver
    driver.stop()


def _launch_problem(exc: Exception) -> str:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Chromium at {CHROMIUM} did not start ({first_line})"


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless; Playwright never downloads a browser of its own."""
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
    except Exception as exc:  # noqa: BLE001 - any launch failure means "no browser here"
        unavailable(_launch_problem(exc))
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script, installed from the npm registry by `npm ci`."""
    if not AXE_JS.is_file():
        unavailable(f"axe-core is not installed ({AXE_JS} is missing)")
    return AXE_JS.read_text("utf-8")


@pytest.fixture(scope="session")
def minfont_context(
    playwright: Playwright, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BrowserContext]:
    """A second Chromium whose profile raises the minimum font size to 24 px.

    This is the browser's own setting (Settings > Appearance > Customize fonts >
    Minimum font size; 24 px is the slider's top), written into a fresh profile's
    Preferences file before start. Chromium then refuses to render any text smaller,
    so the page is laid out with the large text a person with low vision would see.
    Playwright has no per-context option for it, hence a persistent context.
    """
    profile = tmp_path_factory.mktemp("chromium-minfont")
    (profile / "Default").mkdir()
    preferences = {"webkit": {"webprefs": {"minimum_font_size": 24}}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    try:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            bypass_csp=True,
        )
    except Exception as exc:  # noqa: BLE001
        unavailable(_launch_problem(exc))
    yield context
    context.close()


@pytest.fixture(scope="session")
def live_server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The app over HTTP on 127.0.0.1, on a copy of the migrated SQLite template."""
    folder = tmp_path_factory.mktemp("browser-app")
    database = folder / "browser.sqlite3"
    shutil.copyfile(sqlite_template, database)
    config = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": SECRET,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SURVEYAPP_INSTANCE_PATH", str(folder / "instance"))
        app = create_app(config)
    server = LiveServer(app)
    yield server
    server.stop()
    from surveyapp.extensions import db

    with app.app_context():
        db.engine.dispose()


def phone_settings(lang: str) -> dict[str, Any]:
    """A touch phone of 360 x 740 CSS pixels at 2 device pixels each, in ``lang``."""
    return {
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": LOCALE[lang],
        # Only so that tests can inject axe-core; the app's own script is same-origin.
        "bypass_csp": True,
    }


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (fresh cookies, like a fresh phone); all closed afterwards.

    By default a phone as :func:`phone_settings` makes it, with JavaScript on.
    """
    made: list[BrowserContext] = []

    def make(lang: str = "en", **options: Any) -> BrowserContext:
        settings = phone_settings(lang)
        settings.update(options)
        context = browser.new_context(**settings)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def worker_on(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> Callable[..., Worker]:
    """A worker on a new phone: ``worker_on(token, "es", js=False, locale="en-US")``."""

    def make(token: str, lang: str = "en", *, js: bool = True, **options: Any) -> Worker:
        context = new_context(lang, java_script_enabled=js, **options)
        touch = bool(options.get("has_touch", True))
        return Worker(context.new_page(), live_server, token, lang, touch=touch)

    return make


@pytest.fixture(scope="session")
def _shared_phones(browser: Browser) -> Iterator[dict[str, Page]]:
    pages: dict[str, Page] = {}
    yield pages
    for page in pages.values():
        page.context.close()


@pytest.fixture
def phone_worker(
    browser: Browser, _shared_phones: dict[str, Page], live_server: LiveServer
) -> Callable[[str, str], Worker]:
    """A worker on a phone reused between tests, for checks of one page at a time.

    Starting a browser context costs a new renderer process, which is most of the
    time of such a test on a small machine. The phone is made like a fresh one
    before each test: its cookies are cleared and its screen reset to 360 x 740.
    """

    def make(token: str, lang: str) -> Worker:
        page = _shared_phones.get(lang)
        if page is None or page.is_closed():
            page = browser.new_context(**phone_settings(lang)).new_page()
            _shared_phones[lang] = page
        page.context.clear_cookies()
        page.set_viewport_size(PHONE)
        return Worker(page, live_server, token, lang)

    return make


@pytest.fixture
def minfont_worker(
    minfont_context: BrowserContext, live_server: LiveServer
) -> Callable[[str, str], Worker]:
    """A worker whose browser has its minimum font size raised (see minfont_context)."""

    def make(token: str, lang: str) -> Worker:
        minfont_context.clear_cookies()
        pages = minfont_context.pages
        page = pages[0] if pages else minfont_context.new_page()
        page.set_extra_http_headers({"Accept-Language": ACCEPT_LANGUAGE[lang]})
        return Worker(page, live_server, token, lang)

    return make
