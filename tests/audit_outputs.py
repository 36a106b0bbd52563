"""The suppression audit's tools: a round built cell by cell, every published output
gathered, and the groups an attacker can recover from them by differencing.

Model (FCSM Working Paper 22, Census audit programs): the round's responses fall into
*atoms*, the non-empty cells of employer x shift x tenure band (every response answers
every scored question, so every figure of a group covers all its responses). Each
published figure about a group of responses gives a linear fact about its atoms: its
count (``n``) and, with a mean, its sum. A group of atoms is recoverable by
differencing exactly when its indicator vector lies in the span of the published
facts' vectors. Empty cells hold nobody, so they are left out: a recovered figure over
them is still the figure of the non-empty atoms alone. That also credits the attacker
with knowing which cells are empty; :func:`pinned_groups` drops that knowledge and asks
what bounds an outsider can derive, for the rounds where only the stricter test fails.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pypdf
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.instruments import get_instrument
from surveyapp.models import Answer, Response, Wave
from surveyapp.scoring import choice_item_ids
from surveyapp.scoring.dimensions import ScoringPlan

V2 = get_instrument("worker", 2)
GROUPINGS = ("SHIFT", "TENURE")
NOT_ENOUGH = "not enough responses"


@dataclass(frozen=True)
class Cell:
    """``size`` responses of one employer with these subgroup codes (0: left blank)."""

    shift: int
    tenure: int
    size: int


def add_cells(wave: Wave, employer_id: int, cells: Sequence[Cell], *, low: bool, seed: int) -> None:
    """Responses answering every scored question (``low``: only the two lowest options,
    so a hidden employer's means stand apart from everything shown), language "en",
    with the given shift and tenure; commits. Call inside an app context."""
    rng = np.random.default_rng(seed)
    choices = {
        item_id: [o.code for o in V2.item(item_id).options if not o.missing]
        for item_id in choice_item_ids(V2)
        if V2.item(item_id).role != "subgroup"  # FTPT left blank: its table stays hidden
    }
    for cell in cells:
        for _ in range(cell.size):
            response = Response(
                id=secrets.token_hex(16),
                wave_id=wave.id,
                employer_id=employer_id,
                instrument_key=V2.key,
                instrument_version=V2.version,
                instrument_checksum=V2.checksum,
                language="en",
                submitted_on=date(2027, 3, 1),
            )
            db.session.add(response)
            codes = {
                item_id: int(rng.choice(options[:2] if low else options))
                for item_id, options in choices.items()
            }
            codes.update({"SHIFT": cell.shift, "TENURE": cell.tenure})
            db.session.add_all(
                Answer(response_id=response.id, item_id=item_id, code=code)
                for item_id, code in codes.items()
                if code
            )
    db.session.commit()


# ---------------------------------------------------------------------------- raw truth
@dataclass
class Truth:
    """Per response: employer id, shift, tenure and every statistic, read from the
    database and scored with the instrument's own plan (the release's first step)."""

    employers: np.ndarray
    shift: np.ndarray
    tenure: np.ndarray
    values: np.ndarray  # responses x statistics
    names: tuple[str, ...]

    @classmethod
    def read(cls, app: Flask, wave_id: int, living_wage: float) -> Truth:
        with app.app_context():
            responses = db.session.scalars(
                select(Response).where(Response.wave_id == wave_id).order_by(Response.id)
            ).all()
            answers: dict[str, dict[str, int]] = {r.id: {} for r in responses}
            ids = [r.id for r in responses]
            for row in db.session.scalars(select(Answer).where(Answer.response_id.in_(ids))):
                answers[row.response_id][row.item_id] = row.code
            employers = np.array([r.employer_id for r in responses])
        plan = ScoringPlan(V2, None, living_wage=living_wage)
        codes = np.array([[answers[i].get(item, 0) for item in plan.item_ids] for i in ids])
        values = np.asarray(plan.score(codes).statistics())
        names = ("jqi", *(d.id for d in V2.dimensions), "at_threshold")
        return cls(
            employers=employers,
            shift=np.array([answers[i].get("SHIFT", 0) for i in ids]),
            tenure=np.array([answers[i].get("TENURE", 0) for i in ids]),
            values=values,
            names=names,
        )

    def atoms(self) -> list[tuple[int, int, int]]:
        rows = zip(self.employers, self.shift, self.tenure, strict=True)
        return sorted({(int(e), int(s), int(t)) for e, s, t in rows})

    def in_atoms(self, atoms: Iterable[tuple[int, int, int]]) -> np.ndarray:
        wanted = set(atoms)
        rows = zip(self.employers, self.shift, self.tenure, strict=True)
        return np.array([(int(e), int(s), int(t)) in wanted for e, s, t in rows])


# ---------------------------------------------------------------------------- facts
@dataclass
class Facts:
    """Published linear facts: (source, atoms of the group, has a sum)."""

    atoms: list[tuple[int, int, int]]
    entries: list[tuple[str, frozenset[int], bool]] = field(default_factory=list)
    #: The same facts as predicates over (employer, shift, tenure), empty cells included.
    predicates: list[tuple[str, Any, bool]] = field(default_factory=list)

    def add(self, source: str, where: Any, *, with_sum: bool) -> None:
        members = frozenset(i for i, atom in enumerate(self.atoms) if where(*atom))
        if members:
            self.entries.append((source, members, with_sum))
            self.predicates.append((source, where, with_sum))

    def recoverable_small(
        self, sizes: Sequence[int], k: int
    ) -> list[tuple[str, tuple[int, ...], int]]:
        """Every group of atoms with 1..k-1 responses whose count (or sum) lies in the
        span of the published counts (sums): (kind, atom indices, responses)."""
        found = []
        n_atoms = len(self.atoms)
        candidates = [
            combo
            for r in range(1, k)
            for combo in itertools.combinations(range(n_atoms), r)
            if sum(sizes[i] for i in combo) < k
        ]
        if not candidates:
            return found
        vectors = np.zeros((len(candidates), n_atoms))
        for row, combo in enumerate(candidates):
            vectors[row, list(combo)] = 1.0
        for kind, with_sum in (("count", False), ("sum", True)):
            rows = [m for _s, m, has_sum in self.entries if has_sum or not with_sum]
            if not rows:
                continue
            matrix = np.zeros((len(rows), n_atoms))
            for r, members in enumerate(rows):
                matrix[r, list(members)] = 1.0
            _u, s, vt = np.linalg.svd(matrix, full_matrices=False)
            basis = vt[s > 1e-9 * s.max()]
            residual = vectors - (vectors @ basis.T) @ basis
            for row in np.flatnonzero(np.abs(residual).max(axis=1) < 1e-8):
                combo = candidates[row]
                found.append((kind, combo, sum(sizes[i] for i in combo)))
        return found


# ---------------------------------------------------------------------------- bounds
def pinned_groups(
    facts: Facts, truth: Truth, found: Sequence[tuple[str, tuple[int, ...], int]], k: int
) -> list[str]:
    """Which of the groups the span check found an attacker can pin down without
    being told which cells are empty (Census audit programs: the tightest bounds that
    the published counts and sums allow, every cell a non-negative whole count).

    The span check above leaves empty cells out, as if everyone knew that nobody sits
    in them; that finds a group whose differencing puts a minus sign on an empty cell
    (a count of some cells minus a count of empty ones), which nobody outside can read
    as the group's size. Here every cell of employer x shift x tenure is an unknown,
    and a group counts as recovered when its count (or sum) has one possible value,
    for the group itself or for it widened by empty cells to a whole shift or tenure
    row (the figure of a group that holds the same responses)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    employers = sorted({int(e) for e in truth.employers})
    shifts = [0, *sorted(_label_codes("SHIFT").values())]
    tenures = [0, *sorted(_label_codes("TENURE").values())]
    grid = list(itertools.product(employers, shifts, tenures))
    n = len(grid)
    counts = np.array([truth.in_atoms([cell]).sum() for cell in grid], dtype=float)
    jqi = truth.values[:, truth.names.index("jqi")]
    sums = np.array([jqi[truth.in_atoms([cell])].sum() for cell in grid])
    rows, rhs = [], []
    for _source, where, with_sum in facts.predicates:
        member = np.array([where(*cell) for cell in grid], dtype=float)
        rows.append(np.concatenate([member, np.zeros(n)]))
        rhs.append(member @ counts)
        if with_sum:
            rows.append(np.concatenate([np.zeros(n), member]))
            rhs.append(member @ sums)
    # A cell's JQI sum lies between 0 and 100 per response in it.
    cap = np.hstack([-100 * np.eye(n), np.eye(n)])
    constraints = [
        LinearConstraint(np.array(rows), np.array(rhs) - 1e-6, np.array(rhs) + 1e-6),
        LinearConstraint(cap, -np.inf, 1e-6),
    ]
    integrality = np.concatenate([np.ones(n), np.zeros(n)])
    bounds = Bounds(np.zeros(2 * n), np.full(2 * n, np.inf))

    def spread(target: np.ndarray) -> float:
        low = milp(target, constraints=constraints, integrality=integrality, bounds=bounds)
        high = milp(-target, constraints=constraints, integrality=integrality, bounds=bounds)
        assert low.success, low.message
        assert high.success, high.message
        return float(-high.fun - low.fun)

    pinned = []
    for kind, combo, size in found:
        group = {facts.atoms[i] for i in combo}
        for cells in _widened(group, grid, counts, shifts, tenures):
            member = np.array([cell in cells for cell in grid], dtype=float)
            zeros = np.zeros(n)
            target = np.concatenate([member, zeros] if kind == "count" else [zeros, member])
            if spread(target) < 1e-6 and 0 < size < k:
                pinned.append(f"{kind} of {size} responses pinned: cells {sorted(cells)}")
                break
    return pinned


def _widened(
    group: set[tuple[int, int, int]],
    grid: Sequence[tuple[int, int, int]],
    counts: np.ndarray,
    shifts: Sequence[int],
    tenures: Sequence[int],
) -> list[set[tuple[int, int, int]]]:
    """The group, and each rectangle over its employers that holds exactly its
    responses (its shifts and tenures, each kept, widened by blank, or all)."""
    employers = {e for e, _s, _t in group}
    own_shifts = {s for _e, s, _t in group}
    own_tenures = {t for _e, _s, t in group}
    filled = {cell for cell, count in zip(grid, counts, strict=True) if count}
    found = [group]
    for shift_set in (own_shifts, own_shifts | {0}, set(shifts)):
        for tenure_set in (own_tenures, own_tenures | {0}, set(tenures)):
            cells = set(itertools.product(employers, shift_set, tenure_set))
            if cells & filled == group and cells not in found:
                found.append(cells)
    return found


def facts_from_release(
    facts: Facts, sector: dict[str, Any], employers: dict[int, dict[str, Any]], source: str
) -> None:
    """The facts a stored release's figures give (sector figures, sector equity, and
    each shown employer's estimates, count, shares and equity)."""
    labels = {g: _label_codes(g) for g in GROUPINGS}
    everyone = lambda e, s, t: True  # noqa: E731
    if sector.get("n_responses") is not None:
        facts.add(f"{source} sector n", everyone, with_sum=False)
    for estimate in sector.get("sector", []):
        if estimate.get("n") is not None:
            has = estimate.get("mean") is not None
            facts.add(f"{source} sector {estimate['statistic']}", everyone, with_sum=has)
    for share in sector.get("sector_proportions", []):
        if share.get("n") is not None:
            facts.add(f"{source} sector share {share.get('name')}", everyone, with_sum=True)
    for group in sector.get("equity", []):
        _equity_facts(facts, f"{source} sector", group, labels, None)
    for employer_id, entry in employers.items():
        mine = lambda e, s, t, x=employer_id: e == x  # noqa: E731
        if entry.get("n_responses") is not None:
            facts.add(f"{source} employer {employer_id} n", mine, with_sum=False)
        for estimate in entry.get("estimates", []):
            if estimate.get("n") is not None:
                has = estimate.get("mean") is not None
                facts.add(
                    f"{source} employer {employer_id} {estimate['statistic']}", mine, with_sum=has
                )
        for share in entry.get("proportions", []):
            if share.get("n") is not None:
                facts.add(f"{source} employer {employer_id} share", mine, with_sum=True)
        for gap in entry.get("gaps", []):
            if gap.get("n") is not None:
                facts.add(f"{source} employer {employer_id} gap", mine, with_sum=True)
        for group in entry.get("equity", []):
            _equity_facts(facts, f"{source} employer {employer_id}", group, labels, employer_id)


def _label_codes(grouping: str) -> dict[str, int]:
    return {o.label["en"]: o.code for o in V2.item(grouping).options if not o.missing}


def _equity_facts(
    facts: Facts,
    source: str,
    group: dict[str, Any],
    labels: dict[str, dict[str, int]],
    employer_id: int | None,
) -> None:
    grouping = group.get("grouping")
    if grouping not in labels:
        # language: everyone answered in English, so its breakdown must stay hidden
        assert all(e.get("mean") is None for e in group.get("estimates", [])), source
        return
    column = GROUPINGS.index(grouping) + 1
    for label, estimate in zip(group["groups"], group["estimates"], strict=True):
        if estimate.get("n") is None:
            continue
        code = labels[grouping][label]

        def member(e: int, s: int, t: int, c: int = code) -> bool:
            return (employer_id is None or e == employer_id) and (s, t)[column - 1] == c

        has = estimate.get("mean") is not None
        facts.add(f"{source} {grouping}={label}", member, with_sum=has)


# ---------------------------------------------------------------------------- reading
def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    metadata = reader.metadata or {}
    parts += [str(v) for v in metadata.values()]
    return "\n".join(parts)


def csv_rows(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data)))


def visible_text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def get_ok(client: FlaskClient, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response


def number_forms(value: float) -> set[str]:
    """How a figure can be written: one decimal (either separator), the stored digits."""
    one = f"{value:.1f}"
    return {one, one.replace(".", ","), repr(float(value))}


def occurrences(text: str, token: str) -> bool:
    """``token`` as a whole number in ``text`` (not a piece of a longer one)."""
    return re.search(rf"(?<![\d.,]){re.escape(token)}(?![\d]|[.,]\d)", text) is not None
