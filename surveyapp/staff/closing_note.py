"""Staff's "What happens next" note: what workers read on a closed round's survey links.

One text per language of the round's survey. Text is escaped wherever it is shown;
only invisible characters that could disguise it (NUL and other control characters,
direction overrides) are refused.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..accounts.access import staff_required
from ..extensions import db
from ..i18n import language_name
from ..instruments import get_instrument
from ..models import Wave
from ..told import closing_notes
from . import bp
from .common import own

#: Characters a note may hold at most, in each language (about a short paragraph).
MAX_NOTE = 1000
#: Direction overrides and isolates: they can make a note read differently than typed.
_OVERRIDES = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def note_problem(text: str) -> str | None:
    """Why ``text`` cannot be a note, in plain words; None when it can."""
    if len(text) > MAX_NOTE:
        return _("Write at most %(limit)d characters.", limit=MAX_NOTE)
    for ch in text:
        if ch in "\n\t":
            continue
        if ch in _OVERRIDES or unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            return _("Remove the hidden control characters from the text.")
    return None


def _clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


@bp.route("/waves/<int:wave_id>/closing-note", methods=["GET", "POST"])
@staff_required
def closing_note(wave_id: int) -> ResponseReturnValue:
    wave = own(Wave, wave_id)
    instrument = get_instrument(wave.worker_instrument_key, wave.worker_instrument_version)
    languages = instrument.languages
    notes = closing_notes(wave)
    errors: dict[str, Any] = {}
    if request.method == "POST":  # the CSRF check is global
        posted = {lang: _clean(request.form.get(f"note_{lang}", "")) for lang in languages}
        for lang, text in posted.items():
            problem = note_problem(text)
            if problem:
                errors[f"note_{lang}"] = problem
        if not errors:
            kept = {lang: text for lang, text in posted.items() if text}
            wave.closing_note = json.dumps(kept, ensure_ascii=False) if kept else None
            db.session.commit()
            return redirect(url_for("staff.wave", wave_id=wave.id, changed="note") + "#note")
        notes = posted
    return render_template(
        "staff/closing_note.html",
        wave=wave,
        fields=[(lang, language_name(lang), notes.get(lang, "")) for lang in languages],
        errors=errors,
        limit=MAX_NOTE,
    ), (400 if errors else 200)
