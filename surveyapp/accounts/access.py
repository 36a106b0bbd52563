"""Who may open which page: staff pages, employer pages.

A page that is not for the signed-in person answers 404, like a page that does not
exist: an employer user learns nothing about what staff pages there are, and nobody
learns whether another partnership's ids exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user, login_required

P = ParamSpec("P")
R = TypeVar("R")


def staff_required(view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    @login_required
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if not current_user.is_staff:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def employer_required(view: Callable[P, R]) -> Callable[P, R]:
    @wraps(view)
    @login_required
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        if current_user.employer_id is None:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def own_or_404(obj: R | None, partnership_id: int | None) -> R:
    """``obj`` if it exists and belongs to the signed-in staff user's partnership."""
    if obj is None or partnership_id != current_user.partnership_id:
        abort(404)
    return obj
