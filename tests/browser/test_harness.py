"""The harness never lets browser tests vanish quietly in CI (no browser needed here)."""

from __future__ import annotations

import pytest

from .harness import INSTALL_HINT, unavailable


@pytest.mark.parametrize(
    ("env", "outcome"),
    [
        ({}, pytest.skip.Exception),
        ({"CI": "true"}, pytest.fail.Exception),
        ({"SURVEYAPP_REQUIRE_BROWSER": "1"}, pytest.fail.Exception),
    ],
)
def test_missing_browser_skips_locally_and_fails_in_ci(monkeypatch, env, outcome):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("SURVEYAPP_REQUIRE_BROWSER", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(outcome) as raised:
        unavailable("Chromium is not installed at /nowhere")
    assert "Chromium is not installed at /nowhere" in str(raised.value)
    assert INSTALL_HINT in str(raised.value)
    assert "apt-get install chromium chromium-driver" in str(raised.value)
    assert "npm ci" in str(raised.value)
