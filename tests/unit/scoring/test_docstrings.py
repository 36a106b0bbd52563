"""The worked examples in the scoring docstrings are true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "surveyapp.scoring.items",
    "surveyapp.scoring.dimensions",
    "surveyapp.scoring.suppression",
    "surveyapp.scoring.reliability",
    "surveyapp.scoring.trend",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
