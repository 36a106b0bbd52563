"""A wave's results: stored rows become arrays, pass through scoring, come out stored.

* :mod:`.wave_data` reads a wave's stored answers into the arrays the scoring package takes;
* :mod:`.offline` reads and writes the CSV export and turns a release into JSON-ready data
  (pure: numpy and the scoring package only, so a researcher can run it without the app);
* :mod:`.store` computes a closed wave's release once and stores it (anonymity rule 3),
  and reads it back.

This package reads stored rows; it never imports :mod:`surveyapp.survey`, and the survey
never imports it. The names below are imported on first use, so ``import
surveyapp.results.offline`` pulls in no database library.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "InstrumentMismatch": "wave_data",
    "WaveAnswers": "wave_data",
    "load_wave_answers": "wave_data",
    "release_to_dict": "offline",
    "ComputedRelease": "store",
    "NoStoredRelease": "store",
    "WaveNotClosed": "store",
    "compute_release": "store",
    "employers_without_responses": "store",
    "previous_closed_wave": "store",
    "recompute_release": "store",
    "store_release": "store",
    "stored_release": "store",
    "stored_release_row": "store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
