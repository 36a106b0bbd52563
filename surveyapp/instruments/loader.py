"""Read instrument files, check them, and turn them into :class:`Instrument` objects.

An instrument that is wrong must never reach a worker: every problem becomes one
:class:`InstrumentError` that names the file, the item (or page, scale, dimension)
and the field, so the person editing the file can find it.

An employer instrument (one with ``mirrors_instrument``) is checked against the worker
instrument it names, loaded from the same folder; those checks are in
:mod:`.employer_checks`. A self-assessment (one with a ``self_assessment`` table) has
its checks in :mod:`.self_assessment_checks`.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import jsonschema

from . import employer_checks, self_assessment_checks
from .model import (
    Dimension,
    Instrument,
    Item,
    Option,
    Page,
    RatioBand,
    Settings,
)

FORMAT_VERSION = 1


class InstrumentError(ValueError):
    """An instrument file that cannot be used, with a message a person can act on."""


@cache
def _schema_validator() -> jsonschema.Draft202012Validator:
    text = resources.files(__package__).joinpath("format_v1.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


def load_instrument(path: str | Path) -> Instrument:
    """Load and check one instrument file.

    :param path: a ``.toml`` file, e.g. ``instruments/worker-v1.toml``.
    :raises InstrumentError: naming the file, item and field of the first problem.
    """
    path = Path(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        data = tomllib.loads(raw_bytes.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InstrumentError(f"{path}: is not valid UTF-8 TOML ({exc})") from exc
    checksum = hashlib.sha256(raw_bytes).hexdigest()
    return parse_instrument(data, source=str(path), checksum=checksum, directory=path.parent)


def parse_instrument(
    data: Mapping[str, Any], *, source: str, checksum: str, directory: Path | None = None
) -> Instrument:
    """Check an already-parsed instrument document and build the typed object.

    :param directory: where the worker instrument named by an employer instrument's
        ``mirrors_instrument`` is found; default the folder of ``source``.
    """
    return _parse(data, source, checksum, directory or Path(source).parent, may_mirror=True)


def _parse(
    data: Mapping[str, Any], source: str, checksum: str, directory: Path, *, may_mirror: bool
) -> Instrument:
    if data.get("format_version") not in (None, FORMAT_VERSION):
        raise InstrumentError(
            f"{source}: field 'format_version': {data.get('format_version')!r} is not supported"
            f" (this surveyapp reads format_version {FORMAT_VERSION})"
        )
    errors = sorted(_schema_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise InstrumentError(_describe_schema_error(source, data, errors[0]))
    if "mirrors_instrument" in data and not may_mirror:
        # A worker instrument is compared with employers' claims; a chain of mirrors
        # would have no worker answers at its end (and could loop).
        raise InstrumentError(
            f"{source}: field 'mirrors_instrument': an instrument that another one mirrors"
            " cannot itself mirror one"
        )
    return _Builder(data, source, checksum, directory).build()


def _describe_schema_error(
    source: str, data: Mapping[str, Any], error: jsonschema.ValidationError
) -> str:
    path = list(error.absolute_path)
    where = ""
    if len(path) >= 2 and path[0] in ("items", "pages", "dimensions"):
        entry = data[path[0]][path[1]]
        name = {"items": "item", "pages": "page", "dimensions": "dimension"}[path[0]]
        label = entry.get("id") if isinstance(entry, Mapping) else None
        where = f"{name} {label!r}" if label else f"{name} number {path[1] + 1}"
        path = path[2:]
    elif len(path) >= 2 and path[0] == "scales":
        where = f"scale {path[1]!r}"
        path = path[2:]
    field = ".".join(str(p) for p in path)
    if error.validator == "required":
        # jsonschema reports a missing key on its parent; name the key itself.
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        field = f"{field}.{missing}" if field else missing
        message = "is missing"
    elif error.validator == "additionalProperties":
        message = error.message
    else:
        message = error.message
    parts = [source]
    if where:
        parts.append(where)
    if field:
        parts.append(f"field {field!r}")
    return ": ".join(parts) + f": {message}"


class _Builder:
    """Cross-reference checks that a JSON Schema cannot express, then construction."""

    def __init__(
        self, data: Mapping[str, Any], source: str, checksum: str, directory: Path
    ) -> None:
        self.data = data
        self.source = source
        self.checksum = checksum
        self.directory = directory
        self.languages: tuple[str, ...] = tuple(data["languages"])
        #: An employer instrument asks and states; it scores nothing itself.
        self.mirrors_instrument: str | None = data.get("mirrors_instrument")
        self.employer = self.mirrors_instrument is not None
        #: A self-assessment rates statements about the partnership on a rubric.
        self.evidence_max_length = self_assessment_checks.evidence_limit(data, self.fail)
        self.self_assessment = self.evidence_max_length is not None

    def fail(self, where: str, field: str, message: str) -> InstrumentError:
        return InstrumentError(f"{self.source}: {where}: field {field!r}: {message}")

    def text(self, value: Mapping[str, str], where: str, field: str) -> dict[str, str]:
        for language in self.languages:
            if not value.get(language, "").strip():
                raise self.fail(where, f"{field}.{language}", "text is missing for this language")
        extra = set(value) - set(self.languages)
        if extra:
            raise self.fail(
                where, field, f"language {sorted(extra)[0]!r} is not in the instrument's languages"
            )
        return {language: value[language].strip() for language in self.languages}

    def options(self, raw: Iterable[Mapping[str, Any]], where: str) -> tuple[Option, ...]:
        options = []
        seen: set[int] = set()
        for number, entry in enumerate(raw, start=1):
            field = f"options[{number}]"
            if entry["code"] in seen:
                raise self.fail(where, f"{field}.code", f"code {entry['code']} is used twice")
            seen.add(entry["code"])
            missing = bool(entry.get("missing", False))
            if missing and ("score" in entry or "hourly" in entry):
                raise self.fail(where, field, "a 'missing' option cannot have a score")
            options.append(
                Option(
                    code=entry["code"],
                    label=self.text(entry["label"], where, f"{field}.label"),
                    score=entry.get("score"),
                    missing=missing,
                    hourly=entry.get("hourly"),
                )
            )
        return tuple(options)

    def build(self) -> Instrument:
        data = self.data
        dimensions = self.build_dimensions()
        scales = {
            name: self.options(raw, f"scale {name!r}")
            for name, raw in data.get("scales", {}).items()
        }
        items = self.build_items(scales, {d.id for d in dimensions})
        pages = self.build_pages({item.id for item in items})
        for dimension in dimensions:
            if not any(i.dimension == dimension.id and i.is_scored for i in items):
                raise self.fail(f"dimension {dimension.id!r}", "id", "no scored item uses it")
        raw_settings = data.get("settings", {})
        settings = Settings(
            threshold=float(raw_settings.get("threshold", 50.0)),
            min_item_share=float(raw_settings.get("min_item_share", 0.5)),
            min_dimensions=int(raw_settings.get("min_dimensions", min(6, len(dimensions)))),
        )
        if settings.min_dimensions > len(dimensions):
            raise self.fail("settings", "min_dimensions", "is more than the number of dimensions")
        if self.mirrors_instrument is not None:
            employer_checks.check_against_worker(
                items, self.mirrored_instrument(), self.mirrors_instrument, self.fail
            )
        return Instrument(
            key=data["key"],
            version=data["version"],
            checksum=self.checksum,
            languages=self.languages,
            title=self.text(data["title"], "instrument", "title"),
            intro=self.text(data["intro"], "instrument", "intro"),
            dimensions=dimensions,
            items=items,
            pages=pages,
            settings=settings,
            source=self.source,
            mirrors_instrument=self.mirrors_instrument,
            evidence_max_length=self.evidence_max_length,
        )

    def mirrored_instrument(self) -> Instrument:
        """The worker instrument named by ``mirrors_instrument``, from the same folder."""
        name = str(self.mirrors_instrument)
        path = self.directory / f"{name}.toml"
        if not path.is_file():
            raise self.fail("instrument", "mirrors_instrument", f"there is no file {path}")
        try:
            raw_bytes = path.read_bytes()
            data = tomllib.loads(raw_bytes.decode("utf-8"))
            checksum = hashlib.sha256(raw_bytes).hexdigest()
            worker = _parse(data, str(path), checksum, self.directory, may_mirror=False)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, InstrumentError) as exc:
            raise self.fail("instrument", "mirrors_instrument", f"cannot be used: {exc}") from exc
        if f"{worker.key}-v{worker.version}" != name:
            raise self.fail(
                "instrument",
                "mirrors_instrument",
                f"{path.name} holds {worker.key}-v{worker.version}, not {name}",
            )
        return worker

    def build_dimensions(self) -> tuple[Dimension, ...]:
        dimensions = []
        seen: set[str] = set()
        for raw in self.data.get("dimensions", ()):
            where = f"dimension {raw['id']!r}"
            if raw["id"] in seen:
                raise self.fail(where, "id", "is used by two dimensions")
            seen.add(raw["id"])
            dimensions.append(
                Dimension(
                    id=raw["id"],
                    name=self.text(raw["name"], where, "name"),
                    reliability=raw.get("reliability", "alpha"),
                    weight=float(raw.get("weight", 1.0)),
                    threshold=raw.get("threshold"),
                    group=self_assessment_checks.dimension_group(
                        raw, where, self.fail, active=self.self_assessment
                    ),
                )
            )
        return tuple(dimensions)

    def build_items(
        self, scales: Mapping[str, tuple[Option, ...]], dimension_ids: set[str]
    ) -> tuple[Item, ...]:
        items = []
        seen: set[str] = set()
        for raw in self.data["items"]:
            item = self.build_item(raw, scales, dimension_ids)
            if item.id.lower() in seen:
                raise self.fail(f"item {item.id!r}", "id", "is used by two items")
            seen.add(item.id.lower())
            items.append(item)
        return tuple(items)

    def build_item(
        self,
        raw: Mapping[str, Any],
        scales: Mapping[str, tuple[Option, ...]],
        dimension_ids: set[str],
    ) -> Item:
        where = f"item {raw['id']!r}"
        role = raw.get("role", "context" if self.employer else "scored")
        kind = raw.get("kind", "choice")
        employer_checks.check_fields(raw, where, role, kind, self.fail, employer=self.employer)
        self_assessment_checks.check_item(raw, where, role, self.fail, active=self.self_assessment)
        if kind == "text":
            for key in ("scale", "options", "dimension", "scoring", "bands", "mirrors", "claims"):
                if key in raw:
                    raise self.fail(where, key, "does not apply to a free-text item")
            if role != "comment":
                raise self.fail(where, "role", "a free-text item must have role 'comment'")
            return Item(
                id=raw["id"],
                role="comment",
                kind="text",
                text=self.text(raw["text"], where, "text"),
                hint=self.text(raw["hint"], where, "hint") if "hint" in raw else None,
                required=bool(raw.get("required", False)),
                max_length=raw.get("max_length", 1000),
            )
        if role == "comment":
            raise self.fail(where, "kind", "an item with role 'comment' must have kind 'text'")
        if kind == "number":
            if "scale" in raw and "options" in raw:
                raise self.fail(where, "scale", "give 'scale' or 'options', not both")
            options = self.item_options(raw, scales, where)
            return employer_checks.number_item(raw, options, where, self.text, self.fail)
        if ("scale" in raw) == ("options" in raw):
            raise self.fail(where, "scale", "give either 'scale' or 'options', not both or neither")
        options = self.item_options(raw, scales, where)
        dimension = raw.get("dimension")
        if role == "scored":
            if dimension is None:
                raise self.fail(where, "dimension", "a scored item needs a dimension")
            if dimension not in dimension_ids:
                raise self.fail(where, "dimension", f"there is no dimension {dimension!r}")
        elif dimension is not None:
            raise self.fail(where, "dimension", f"an item with role {role!r} feeds no dimension")
        default = "rubric" if self.self_assessment else "options"
        scoring = raw.get("scoring", default if role == "scored" else "none")
        if scoring == "rubric":
            options = self_assessment_checks.rubric_options(options, where, self.fail)
        bands = self.check_scoring(where, role, scoring, options, raw.get("bands"))
        max_length = raw.get("max_length")
        if max_length is not None:
            raise self.fail(where, "max_length", "applies only to free-text items")
        return Item(
            id=raw["id"],
            role=role,
            kind="choice",
            text=self.text(raw["text"], where, "text"),
            hint=self.text(raw["hint"], where, "hint") if "hint" in raw else None,
            required=bool(raw.get("required", role in ("scored", "criterion"))),
            dimension=dimension,
            type=raw.get("type"),
            direction=raw.get("direction", "positive"),
            options=options,
            scoring=scoring,
            bands=bands,
            mirror=tuple(raw.get("mirror", ())),
            mirrors=raw.get("mirrors"),
            claims=employer_checks.claim_rules(raw, options, where, self.fail),
        )

    def item_options(
        self, raw: Mapping[str, Any], scales: Mapping[str, tuple[Option, ...]], where: str
    ) -> tuple[Option, ...]:
        if "scale" in raw:
            if raw["scale"] not in scales:
                raise self.fail(where, "scale", f"there is no scale named {raw['scale']!r}")
            return scales[raw["scale"]]
        if "options" in raw:
            return self.options(raw["options"], where)
        return ()

    def check_scoring(
        self,
        where: str,
        role: str,
        scoring: str,
        options: tuple[Option, ...],
        raw_bands: list[Mapping[str, Any]] | None,
    ) -> tuple[RatioBand, ...]:
        answerable = [o for o in options if not o.missing]
        if not answerable:
            raise self.fail(where, "options", "every option is a 'missing' option")
        if role == "scored" and scoring == "none":
            raise self.fail(where, "scoring", "a scored item needs a scoring rule")
        if role != "scored" and scoring != "none":
            raise self.fail(where, "scoring", f"an item with role {role!r} is not scored")
        if scoring == "options":
            for option in answerable:
                if option.score is None:
                    raise self.fail(where, "options", f"option {option.code} has no score")
        if scoring == "living_wage_ratio":
            for option in answerable:
                if option.hourly is None:
                    raise self.fail(
                        where, "options", f"option {option.code} has no 'hourly' midpoint"
                    )
            if not raw_bands:
                raise self.fail(where, "bands", "living_wage_ratio scoring needs bands")
            bands = tuple(RatioBand(b.get("below"), float(b["score"])) for b in raw_bands)
            limits = [b.below for b in bands[:-1]]
            if any(limit is None for limit in limits) or bands[-1].below is not None:
                raise self.fail(
                    where, "bands", "every band but the last needs 'below'; the last has none"
                )
            # None was refused just above; the list's type still allows it.
            if limits != sorted(cast(list[float], limits)) or len(set(limits)) != len(limits):
                raise self.fail(where, "bands", "'below' limits must increase")
            return bands
        if raw_bands:
            raise self.fail(where, "bands", "bands apply only to living_wage_ratio scoring")
        return ()

    def build_pages(self, item_ids: set[str]) -> tuple[Page, ...]:
        pages = []
        placed: dict[str, str] = {}
        for raw in self.data["pages"]:
            where = f"page {raw['id']!r}"
            for item_id in raw["items"]:
                if item_id not in item_ids:
                    raise self.fail(where, "items", f"there is no item {item_id!r}")
                if item_id in placed:
                    raise self.fail(
                        where, "items", f"item {item_id!r} is already on page {placed[item_id]!r}"
                    )
                placed[item_id] = raw["id"]
            pages.append(
                Page(
                    id=raw["id"],
                    title=self.text(raw["title"], where, "title"),
                    intro=self.text(raw["intro"], where, "intro") if "intro" in raw else None,
                    items=tuple(raw["items"]),
                )
            )
        unplaced = sorted(item_ids - set(placed))
        if unplaced:
            raise InstrumentError(f"{self.source}: item {unplaced[0]!r}: is on no page")
        if len({p.id for p in pages}) != len(pages):
            raise InstrumentError(f"{self.source}: two pages share an id")
        return tuple(pages)
