"""A question's radio buttons, built once per question and language.

Rendering one radio button through Jinja escapes and joins a dozen small strings,
and a page has dozens of them; the markup depends only on the instrument (fixed
for the life of the process) except for which option is checked and whether the
question is in error. So each option's markup is built and escaped once, and a
request only stitches the pieces together (PERFORMANCE.md: rendering radios is the
biggest cost of a page).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from markupsafe import Markup, escape

from ..instruments import Item, get_instrument


@dataclass(frozen=True)
class _Option:
    code: str
    #: Everything up to the end of the input's attributes.
    head: str
    #: The closing of the input, its label and the option's wrapper.
    tail: str


@cache
def _options(key: str, version: int, item_id: str, lang: str) -> tuple[_Option, ...]:
    item = get_instrument(key, version).item(item_id)
    built = []
    for option in item.options:
        target = escape(f"{item.id}-{option.code}")
        wrapper = '<div class="aside">' if option.missing else "<div>"
        head = (
            f'\n{wrapper}<input type="radio" id="{target}" name="{escape(item.id)}" '
            f'value="{option.code}"'
        )
        tail = f'><label for="{target}">{escape(option.label[lang])}</label></div>'
        built.append(_Option(str(option.code), head, tail))
    return tuple(built)


def radio_options(
    key: str, version: int, item: Item, lang: str, answer: str | None, invalid: bool
) -> Markup:
    """The radio buttons of a choice question, with ``answer`` checked."""
    parts = []
    for option in _options(key, version, item.id, lang):
        parts.append(option.head)
        if answer == option.code:
            parts.append(" checked")
        if invalid:
            parts.append(' aria-invalid="true"')
        parts.append(option.tail)
    return Markup("".join(parts))  # noqa: S704 - every piece was escaped when built
