"""Every reader of a closed round's release is handed one parsed copy per process
(results/store.py keeps it under the release's revision). A page, file or API answer
that changed that copy would show the next reader figures that were never stored."""

from __future__ import annotations

import copy
import json

from surveyapp.extensions import db
from surveyapp.models import StoredRelease, Wave
from surveyapp.results import stored_release

from ..employer_results_driver import employer_client
from .test_api import make_world


def _shared(app, wave_id: int) -> dict:
    with app.app_context():
        return stored_release(db.session, db.session.get(Wave, wave_id))


def test_no_page_file_or_api_answer_changes_the_shared_release(app):
    world = make_world(app)
    wave = world.closed
    shared = _shared(app, wave)
    pristine = copy.deepcopy(shared)
    staff_urls = [
        f"/staff/waves/{wave}/results",
        f"/staff/waves/{wave}/brief.pdf",
        *(f"/staff/waves/{wave}/exports/{kind}.csv" for kind in ("responses", "aggregates")),
        *(f"/staff/waves/{wave}/employers/{e}" for e in world.employers),
        *(f"/staff/waves/{wave}/employers/{e}/brief.pdf" for e in world.employers),
    ]
    for url in staff_urls:
        assert world.console.get(url).status_code == 200, url
    for employer_id in world.employers:
        employer = employer_client(app, world.console.partnership, employer_id)
        for url in (f"/employer/waves/{wave}", f"/employer/waves/{wave}/brief.pdf"):
            assert employer.get(url).status_code == 200, url
    for _link_id, token in world.console.links(wave):
        assert app.test_client().get(f"/s/{token}/told").status_code == 200
    api_urls = [
        f"/api/v1/waves/{wave}/results",
        *(f"/api/v1/waves/{wave}/employers/{e}/results" for e in world.employers),
    ]
    for url in api_urls:
        assert world.read(url, world.staff).status_code == 200, url

    again = _shared(app, wave)
    assert again is shared  # every reader above was handed this very copy
    assert again == pristine
    with app.app_context():
        assert again == json.loads(db.session.get(StoredRelease, wave).figures)
