"""QR posters of a round's links: downloads from the staff console and `surveyapp poster`,
one page per switched-on link, read back with pypdf, on both databases."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from click.testing import CliRunner
from reportlab.lib.pagesizes import A4, LETTER

from surveyapp.cli import main as cli_main
from surveyapp.extensions import db
from surveyapp.models import DistributionLink, Employer, Wave

from ..conftest import SECRET
from ..staff_driver import Console, text
from ..unit.test_pdf import POSTER_SENTENCES, expected_modules, qr_modules, written_link

PUBLIC = "https://survey.example.org"
HOSTILE = "<font size=100>Ñandú</font> & <script>x</script> 😀 \u202eשלום " + "W" * 120


@pytest.fixture
def console(app):
    return Console.make(app)


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def _flat(page: str) -> str:
    return " ".join(page.split())


def _names(console: Console, wave: int) -> dict[str, tuple[int, str]]:
    """Employer name -> (link id, token) of the wave's links."""
    with console.app.app_context():
        rows = db.session.execute(
            db.select(Employer.name, DistributionLink.id, DistributionLink.token)
            .join(DistributionLink, DistributionLink.employer_id == Employer.id)
            .where(DistributionLink.wave_id == wave)
        ).all()
    return {name: (link, token) for name, link, token in rows}


def _rename(console: Console, employer: int, name: str) -> None:
    with console.app.app_context():
        db.session.get(Employer, employer).name = name
        db.session.commit()


def _set(console: Console, model: type, ident: int, **values: object) -> None:
    with console.app.app_context():
        row = db.session.get(model, ident)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def _check_page(page: str, data: bytes, index: int, name: str, url: str) -> None:
    flat = _flat(page)
    assert name in flat
    for sentence in POSTER_SENTENCES:
        assert sentence in flat, sentence
    assert written_link(page) == url
    assert qr_modules(data, index) == expected_modules(url)


def test_posters_for_every_switched_on_link_sorted_by_name(console):
    wave = console.wave()
    employers = console.employers()
    _rename(console, employers[0], "zeta Clínica")
    _rename(console, employers[1], "Ávila Ñandú Hospital")
    response = console.get(f"/staff/waves/{wave}/posters.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    with console.app.app_context():
        wave_name = db.session.get(Wave, wave).name
    slug = re.sub(r"[^a-z0-9]+", "-", wave_name.lower()).strip("-")
    assert response.headers["Content-Disposition"] == f'attachment; filename="posters-{slug}.pdf"'
    data = response.data
    reader = _reader(data)
    names = _names(console, wave)
    # Sorted without regard to case or accents' bytes: "Ávila" before "zeta".
    order = ["Ávila Ñandú Hospital", "zeta Clínica"]
    assert len(reader.pages) == len(order) == len(names)
    for index, name in enumerate(order):
        page = reader.pages[index].extract_text()
        _check_page(page, data, index, name, f"http://localhost/s/{names[name][1]}")
        assert wave_name in page
    assert [float(v) for v in reader.pages[0].mediabox[2:]] == pytest.approx(list(LETTER))


def test_the_public_address_is_the_one_printed_and_encoded(console):
    console.app.config["PUBLIC_URL"] = PUBLIC + "/"
    wave = console.wave()
    link, token = console.links(wave)[0]
    data = console.get(f"/staff/waves/{wave}/links/{link}/poster.pdf").data
    (page,) = _reader(data).pages
    assert written_link(page.extract_text()) == f"{PUBLIC}/s/{token}"
    assert qr_modules(data) == expected_modules(f"{PUBLIC}/s/{token}")


def test_a_switched_off_link_gets_no_page_and_no_poster(console):
    wave = console.wave()
    (off, _token), (on, on_token) = console.links(wave)
    _set(console, DistributionLink, off, active=False)
    reader = _reader(console.get(f"/staff/waves/{wave}/posters.pdf").data)
    assert len(reader.pages) == 1
    assert written_link(reader.pages[0].extract_text()) == f"http://localhost/s/{on_token}"
    refused = console.get(f"/staff/waves/{wave}/links/{off}/poster.pdf")
    assert refused.status_code == 409
    assert "switched off" in text(refused)
    _set(console, DistributionLink, on, active=False)
    none = console.get(f"/staff/waves/{wave}/posters.pdf")
    assert none.status_code == 409
    assert "None of this round" in text(none)


def test_one_poster_with_a_hostile_name_is_literal_and_its_file_name_is_safe(console):
    wave = console.wave()
    link, token = console.links(wave)[0]
    with console.app.app_context():
        employer = db.session.get(DistributionLink, link).employer_id
    _rename(console, employer, HOSTILE)
    response = console.get(f"/staff/waves/{wave}/links/{link}/poster.pdf?paper=a4")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="poster-[a-z0-9-]+\.pdf"', disposition)
    assert disposition.startswith('attachment; filename="poster-font-size-100-nandu-font-script')
    data = response.data
    (page,) = _reader(data).pages
    flat = _flat(page.extract_text())
    assert "<font size=100>Ñandú</font> & <script>x</script> ? ????? WW" in flat
    assert [float(v) for v in page.mediabox[2:]] == pytest.approx(list(A4))
    _check_page(page.extract_text(), data, 0, "Ñandú", f"http://localhost/s/{token}")


def test_an_unknown_paper_is_refused(console):
    wave = console.wave()
    assert console.get(f"/staff/waves/{wave}/posters.pdf?paper=legal").status_code == 400


def test_a_closed_round_has_no_posters(app):
    console = Console.make(app, status="closed")
    wave = console.wave()
    link, _token = console.links(wave)[0]
    for url in (f"/staff/waves/{wave}/posters.pdf", f"/staff/waves/{wave}/links/{link}/poster.pdf"):
        response = console.get(url)
        assert response.status_code == 409
        assert response.mimetype == "text/html"
        assert "no longer take answers" in text(response)
    assert "poster" not in text(console.get(f"/staff/waves/{wave}")).lower()


def test_the_round_page_links_to_the_downloads(console):
    wave = console.wave()
    page = text(console.get(f"/staff/waves/{wave}"))
    assert f'href="/staff/waves/{wave}/posters.pdf"' in page
    assert "Posters for every employer (PDF)" in page
    for link, _token in console.links(wave):
        assert f'href="/staff/waves/{wave}/links/{link}/poster.pdf"' in page
    assert page.count("Poster (PDF)") == 2


def test_other_partnerships_ids_answer_the_same_404_as_missing_ones(console):
    mine = console.wave()
    my_link = console.links(mine)[0][0]
    theirs = console.wave(console.other)
    their_link = console.links(theirs)[0][0]
    missing = console.get("/staff/waves/999999/posters.pdf")
    assert missing.status_code == 404
    for url in (
        f"/staff/waves/{theirs}/posters.pdf",
        f"/staff/waves/{theirs}/links/{their_link}/poster.pdf",
        f"/staff/waves/{mine}/links/{their_link}/poster.pdf",
        f"/staff/waves/{theirs}/links/{my_link}/poster.pdf",
        f"/staff/waves/{mine}/links/999999/poster.pdf",
    ):
        response = console.get(url)
        assert response.status_code == 404, url
        assert response.data == missing.data, url


def test_employer_users_get_404_and_the_signed_out_sign_in(console):
    wave = console.wave()
    link = console.links(wave)[0][0]
    urls = [f"/staff/waves/{wave}/posters.pdf", f"/staff/waves/{wave}/links/{link}/poster.pdf"]
    hr = console.employer_user()
    for url in urls:
        assert hr.get(url).status_code == 404
        signed_out = console.app.test_client().get(url)
        assert signed_out.status_code == 302
        assert signed_out.headers["Location"].startswith("/login?next=")


# -- surveyapp poster -------------------------------------------------------------------


def _poster(app, *args: str, public: str | None = PUBLIC):
    env = {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": SECRET}
    env["SURVEYAPP_PUBLIC_URL"] = public or ""
    return CliRunner().invoke(cli_main, ["poster", *args], env=env, catch_exceptions=False)


def test_the_command_writes_one_page_per_employer(console, tmp_path):
    wave = console.wave()
    out = tmp_path / "posters.pdf"
    result = _poster(console.app, "--wave", str(wave), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Wrote 2 poster page(s) for wave" in result.stdout
    data = out.read_bytes()
    reader = _reader(data)
    names = _names(console, wave)
    assert len(reader.pages) == 2
    for index, name in enumerate(sorted(names, key=str.casefold)):
        page = reader.pages[index].extract_text()
        _check_page(page, data, index, name, f"{PUBLIC}/s/{names[name][1]}")
    a4 = tmp_path / "a4.pdf"
    assert _poster(console.app, "--wave", str(wave), "-o", str(a4), "--paper", "a4").exit_code == 0
    assert [float(v) for v in _reader(a4.read_bytes()).pages[0].mediabox[2:]] == pytest.approx(
        list(A4)
    )


def _one_line_error(result, exit_code: int, message: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr
    if exit_code == 1:  # ours: exactly one line; 2 is click's usage message
        assert result.stderr.strip().count("\n") == 0, result.stderr
        assert result.stderr.startswith("error: ")


def test_the_command_refuses_bad_input_in_one_line(app, tmp_path):
    console = Console.make(app, status="closed")
    closed = console.wave()
    open_wave = console.wave(console.other)
    out = tmp_path / "p.pdf"
    _one_line_error(_poster(app, "--wave", "999999", "-o", str(out)), 1, "there is no wave 999999")
    _one_line_error(_poster(app, "--wave", str(closed), "-o", str(out)), 1, "is closed")
    _one_line_error(
        _poster(app, "--wave", str(open_wave), "-o", str(tmp_path / "no" / "dir" / "p.pdf")),
        1,
        "cannot write",
    )
    _one_line_error(
        _poster(app, "--wave", str(open_wave), "-o", str(out), public=None),
        1,
        "set SURVEYAPP_PUBLIC_URL",
    )
    assert not out.exists()
    _one_line_error(_poster(app, "-o", str(out)), 2, "--wave")
    _one_line_error(_poster(app, "--wave", "x", "-o", str(out)), 2, "--wave")
    _one_line_error(
        _poster(app, "--wave", str(open_wave), "-o", str(out), "--paper", "legal"), 2, "legal"
    )
    assert not out.exists()
