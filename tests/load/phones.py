"""Phones behind a TLS proxy in front of several app hosts, for the production test.

A phone keeps its own cookies and its own client address, which the proxy passes on in
``X-Forwarded-For`` (with ``X-Forwarded-Proto: https``). The proxy here balances
without stickiness: each request goes to whichever host the phone's generator picks,
unless the test names one. Every request opens its own connection.
"""

from __future__ import annotations

import http.client
import random
import re
import urllib.parse

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SAVE_CODE = re.compile(r'class="code"[^>]*><strong>([A-Z0-9-]+)</strong>')
_RADIO = re.compile(r'<input type="radio"[^>]*\bname="([^"]+)" value="([^"]*)"')
#: The survey's one free-text question: a walk writes its marker there.
FREE_TEXT = "CHANGE"


class Phone:
    def __init__(self, ports: list[int], address: str, seed: int) -> None:
        self.ports = ports
        self.address = address
        self.rng = random.Random(seed)
        self.cookies: dict[str, str] = {}
        #: The path of the page last shown.
        self.path = ""

    def _send(
        self, method: str, path: str, form: dict[str, str] | None, port: int | None
    ) -> tuple[int, str, str]:
        headers = {
            "X-Forwarded-For": self.address,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "en-US,en;q=0.9",
            "Accept": "text/html",
        }
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection(
            "127.0.0.1", port or self.rng.choice(self.ports), timeout=30
        )
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            if not value or "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        location = urllib.parse.urlsplit(response.getheader("Location", ""))
        target = location.path + (f"?{location.query}" if location.query else "")
        return response.status, target, text

    def get(self, path: str, port: int | None = None) -> tuple[int, str]:
        """GET, following redirects; (status, page), the final path in ``self.path``."""
        for _ in range(5):
            status, location, text = self._send("GET", path, None, port)
            if status in (302, 303) and location:
                path = location
                continue
            self.path = path
            return status, text
        raise AssertionError(f"GET {path}: too many redirects")

    def post(self, path: str, form: dict[str, str], port: int | None = None) -> tuple[int, str]:
        """POST a form; a redirect is followed (to any host), an answer is returned."""
        status, location, text = self._send("POST", path, form, port)
        if status in (302, 303) and location:
            return self.get(location)
        self.path = path
        return status, text


def csrf(page: str) -> str:
    found = CSRF.search(page)
    assert found, "the page has no form token"
    return found.group(1)


def answers(page: str, rng: random.Random, marker: str) -> dict[str, str]:
    """One valid answer to every question on the page; the marker in the free text."""
    groups: dict[str, list[str]] = {}
    for name, value in _RADIO.findall(page):
        groups.setdefault(name, []).append(value)
    chosen = {name: rng.choice(values) for name, values in groups.items()}
    if f'name="{FREE_TEXT}"' in page:
        chosen[FREE_TEXT] = marker
    return chosen


def answer_pages(phone: Phone, token: str, page: str, marker: str) -> str:
    """Answer every question page from the one shown to the check page; its HTML."""
    while re.fullmatch(rf"/s/{re.escape(token)}/p/\d+", phone.path):
        form = {"csrf_token": csrf(page), "action": "continue", **answers(page, phone.rng, marker)}
        status, page = phone.post(phone.path, form)
        assert status == 200, (phone.path, status)
    assert phone.path == f"/s/{token}/check", phone.path
    return page


def start(phone: Phone, token: str, code: str = "", port: int | None = None) -> tuple[int, str]:
    """Open the link and press Start (with a one-time code where the round needs one)."""
    status, page = phone.get(f"/s/{token}", port)
    assert status == 200, status
    form = {"csrf_token": csrf(page)} | ({"code": code} if code else {})
    return phone.post(f"/s/{token}/start", form, port)


def send(phone: Phone, token: str, page: str, port: int | None = None) -> tuple[int, str]:
    return phone.post(f"/s/{token}/submit", {"csrf_token": csrf(page)}, port)
