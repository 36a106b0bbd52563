"""The README's "Running in production", run as written: two app hosts (gunicorn, two
workers each, on two ports) on one PostgreSQL and one Redis, both started here.

Phones walk the survey with every request going to either host, as a proxy without
sticky sessions sends them. A one-time code or a save code used on one host is refused
on the other; a rate limit counts the requests of both hosts together; every
acknowledged response is stored exactly once; no client address reaches any log, and
neither host writes anything into its instance folder.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.survey.services import new_access_codes

from ..conftest import SECRET
from ..factories import link_for, make_wave
from ..load_workers import surveyapp_env
from ..postgres import free_port
from .phones import SAVE_CODE, Phone, answer_pages, csrf, send, start
from .servers import Gunicorn
from .stored import read_stored

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

README = Path(__file__).parents[2] / "README.md"
SURVEYAPP = str(Path(sys.executable).with_name("surveyapp"))
#: Choice questions a worker answers (every radio group on every page).
CHOICES = sum(1 for item in get_instrument("worker", 2).items if item.kind == "choice")
WALKS = 10
#: Resume attempts per client address: three on each host reach it.
RESUME_LIMIT = 6
#: The client address of the phone that meets the limit, as the proxy forwards it.
LIMITED = "203.0.113.50"


def _readme_commands() -> tuple[dict[str, str], list[list[str]]]:
    """The production block of the README: its variables and its commands."""
    block = re.search(
        r"<!-- production-commands -->\s*```sh\n(.*?)```\s*<!-- /production-commands -->",
        README.read_text("utf-8"),
        re.DOTALL,
    )
    assert block, "README.md has no production-commands block"
    variables: dict[str, str] = {}
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line)
        if words[:1] == ["export"]:
            variables |= dict(word.split("=", 1) for word in words[1:])
        elif words:
            commands.append(words)
    return variables, commands


def _with(words: list[str], option: str, value: str) -> list[str]:
    assert option in words, f"the README's gunicorn command has no {option}"
    index = words.index(option)
    return [*words[: index + 1], value, *words[index + 2 :]]


def _setup(url: str) -> tuple[str, str, list[str]]:
    """An open round, a round that needs one-time codes, and two codes for its link."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    token = make_wave(app)[0]
    coded = make_wave(app, require_codes=True)[0]
    with app.app_context():
        codes = new_access_codes(db.session, link_for(coded), 2)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token, coded, codes


def _walk(ports: list[int], token: str, number: int) -> str:
    """A whole walk, each request to either host; its marker once thanked."""
    phone = Phone(ports, f"198.51.100.{number + 1}", seed=number)
    marker = f"walk-{number:03d}"
    status, page = start(phone, token)
    assert status == 200, status
    page = answer_pages(phone, token, page, marker)
    status, _thanks = send(phone, token, page)
    assert (status, phone.path) == (200, f"/s/{token}/thanks")
    if number % 2:
        # A double tap, then another on the other host: told so, nothing stored again.
        for port in ports:
            status, again = send(phone, token, page, port=port)
            assert status == 200
            assert "already" in again
    return marker


def test_two_hosts_share_codes_limits_and_responses(own_pg, own_redis, tmp_path):
    _pg, url = own_pg
    token, coded, (code, raced_code) = _setup(url)
    variables, commands = _readme_commands()
    own = {"DATABASE_URL": url, "RATELIMIT_STORAGE_URI": own_redis, "SECRET_KEY": SECRET}
    # Every variable the README sets, the test sets: its own where the README's are
    # placeholders, the README's own values otherwise.
    assert set(own) <= set(variables)
    settings = variables | own | {"SURVEYAPP_LIMIT_RESUME": f"{RESUME_LIMIT}/hour"}
    assert settings["SURVEYAPP_ENV"] == "production"
    upgrade, gunicorn = commands
    assert upgrade == ["surveyapp", "db", "upgrade"]
    assert gunicorn[0] == "gunicorn"
    hosts = []
    for name in ("host-a", "host-b"):
        instance = tmp_path / name
        instance.mkdir()
        env = surveyapp_env(instance, url) | settings
        done = subprocess.run(
            [SURVEYAPP, *upgrade[1:]], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        port = free_port()
        arguments = _with(_with(gunicorn[1:], "--workers", "2"), "--bind", f"127.0.0.1:{port}")
        hosts.append(Gunicorn(port, env, tmp_path / f"{name}.log", arguments))
    try:
        for host in hosts:
            host.start()
        a, b = (host.port for host in hosts)
        ports = [a, b]

        # Walks, each request to either host, all at once.
        with ThreadPoolExecutor(5) as pool:
            acknowledged = set(pool.map(lambda n: _walk(ports, token, n), range(WALKS)))

        # A one-time code used on host A is refused on host B.
        first = Phone(ports, "198.51.100.101", seed=101)
        status, page = start(first, coded, code, port=a)
        page = answer_pages(first, coded, page, "code-used")
        assert send(first, coded, page, port=a)[0] == 200
        assert first.path == f"/s/{coded}/thanks"
        acknowledged.add("code-used")
        second = Phone(ports, "198.51.100.102", seed=102)
        status, page = start(second, coded, code, port=b)
        assert (status, second.path) == (200, f"/s/{coded}/start")
        assert "That one-time code does not work" in page

        # Two phones start with the same code on different hosts; the first to send
        # spends it, the second is told so.
        one, two = (Phone(ports, f"198.51.100.{n}", seed=n) for n in (103, 104))
        page_one = start(one, coded, raced_code, port=a)[1]
        page_two = start(two, coded, raced_code, port=b)[1]
        page_one = answer_pages(one, coded, page_one, "code-raced-first")
        page_two = answer_pages(two, coded, page_two, "code-raced-second")
        assert send(one, coded, page_one, port=a)[0] == 200
        acknowledged.add("code-raced-first")
        status, page = send(two, coded, page_two, port=b)
        assert status == 409
        assert "already been used" in page

        # A save code made on host A opens on host B, which sends; then A refuses it.
        saver = Phone(ports, "198.51.100.105", seed=105)
        page = start(saver, token, port=a)[1]
        form = {"csrf_token": csrf(page), "action": "save"}
        status, page = saver.post(saver.path, form, port=a)
        assert saver.path == f"/s/{token}/saved"
        save_code = SAVE_CODE.search(page).group(1)
        other_phone = Phone(ports, "198.51.100.106", seed=106)
        page = other_phone.get(f"/s/{token}/resume", port=b)[1]
        status, page = other_phone.post(
            f"/s/{token}/resume", {"csrf_token": csrf(page), "code": save_code}, port=b
        )
        assert other_phone.path == f"/s/{token}/p/1", other_phone.path
        page = answer_pages(other_phone, token, page, "saved-then-sent")
        assert send(other_phone, token, page, port=b)[0] == 200
        acknowledged.add("saved-then-sent")
        late = Phone(ports, "198.51.100.107", seed=107)
        page = late.get(f"/s/{token}/resume", port=a)[1]
        status, page = late.post(
            f"/s/{token}/resume", {"csrf_token": csrf(page), "code": save_code}, port=a
        )
        assert late.path == f"/s/{token}/resume"
        assert "We could not find answers saved with that save code" in page

        # The resume limit counts both hosts: three wrong codes on each reach it, the
        # next on either is refused, and another address is not.
        limited = Phone(ports, LIMITED, seed=200)
        page = limited.get(f"/s/{token}/resume", port=a)[1]
        wrong = {"csrf_token": csrf(page), "code": "ABCD-EFGH-JKMN"}
        tries = [limited.post(f"/s/{token}/resume", wrong, port=port)[0] for port in (a, b) * 3]
        assert tries == [200] * RESUME_LIMIT
        assert limited.post(f"/s/{token}/resume", wrong, port=a)[0] == 429
        assert limited.post(f"/s/{token}/resume", wrong, port=b)[0] == 429
        other = Phone(ports, "203.0.113.51", seed=201)
        page = other.get(f"/s/{token}/resume", port=b)[1]
        wrong["csrf_token"] = csrf(page)
        assert other.post(f"/s/{token}/resume", wrong, port=b)[0] == 200
    finally:
        for host in hosts:
            host.stop()

    assert len(acknowledged) == WALKS + 3
    found = read_stored(url)
    # Every acknowledged response stored exactly once, the refused one not at all,
    # and each whole.
    assert found.markers == Counter(acknowledged)
    assert found.per_response == [CHOICES] * len(acknowledged)
    assert found.orphans == 0
    logs = "".join(host.log.read_text("utf-8") for host in hosts)
    assert "Traceback" not in logs
    for address in ["198.51.100.", "203.0.113.", "127.0.0.1 -"]:
        assert address not in logs
    # Nothing on local disk another host would need: no key file, no database.
    assert [list((tmp_path / name).iterdir()) for name in ("host-a", "host-b")] == [[], []]
