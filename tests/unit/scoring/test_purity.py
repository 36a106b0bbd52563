"""The scoring package stays a pure library: no web framework or database on import."""

from __future__ import annotations

import subprocess
import sys


def test_import_pulls_in_no_flask_sqlalchemy_or_werkzeug():
    code = (
        "import sys, surveyapp.scoring, surveyapp.results.offline\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'sqlalchemy', 'werkzeug', 'flask_sqlalchemy', 'wtforms'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
