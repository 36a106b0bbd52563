"""axe-core in a real page: ``assert_accessible(page, "name")`` is the whole API.

Any page of any later feature (login, dashboards, reports) joins with one line in
its test once it is showing in a Playwright page. Every run writes the full axe
results (all impacts) to test-artifacts/axe/<name>.json for a person to read;
the test fails only on serious or critical violations.
"""

from __future__ import annotations

import contextlib
import json
from functools import cache
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from .harness import ARTIFACTS, AXE_JS, AXE_URL, unavailable

#: Impacts that fail a test. Moderate and minor findings are kept in the JSON file.
FAILING_IMPACTS = ("serious", "critical")

#: WCAG 2.0, 2.1 and 2.2 A and AA rules, plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations", "incomplete"],
}


@cache
def _axe_script() -> str:
    if not AXE_JS.is_file():
        unavailable(f"axe-core is not installed ({AXE_JS} is missing)")
    return AXE_JS.read_text("utf-8")


def _has_axe(page: Page) -> bool:
    return page.evaluate("() => typeof window.axe === 'object'")


def inject_axe(page: Page) -> None:
    """Add axe-core to the page showing now (JavaScript must be on in its context).

    The live server also serves axe at AXE_URL on the page's own origin: a script
    tag pointing there passes the app's CSP (script-src 'self') and comes from
    Chromium's cache after the first page. Pages on other servers get the script's
    text instead, which needs a context made with ``bypass_csp=True``.
    """
    if _has_axe(page):
        return
    if not page.evaluate("() => matchMedia('(scripting: enabled)').matches"):
        raise AssertionError("axe-core needs JavaScript: check this page in a context with it on")
    with contextlib.suppress(PlaywrightError):
        page.add_script_tag(url=AXE_URL)
    if not _has_axe(page):
        page.add_script_tag(content=_axe_script())


def run_axe(page: Page) -> dict[str, Any]:
    """axe's results for the page as it is now (axe is injected if needed)."""
    inject_axe(page)
    return page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)


def _describe(violation: dict[str, Any]) -> str:
    nodes = violation["nodes"]
    where = "; ".join(
        f"{' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1].strip()}"
        for node in nodes[:3]
    )
    more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
    return (
        f"[{violation['impact']}] {violation['id']}: {violation['help']} "
        f"({violation['helpUrl']})\n      {where}{more}"
    )


def accessibility_problems(page: Page, name: str) -> list[str]:
    """Serious and critical axe violations on the page, described; [] when none.

    Every result (all impacts, and what axe could not decide) is written to
    test-artifacts/axe/<name>.json.
    """
    results = run_axe(page)
    path = ARTIFACTS / "axe" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = {
        "url": results["url"],
        "axe": results["testEngine"]["version"],
        "violations": results["violations"],
        "incomplete": [
            {"id": r["id"], "impact": r["impact"], "help": r["help"], "nodes": len(r["nodes"])}
            for r in results["incomplete"]
        ],
    }
    path.write_text(json.dumps(kept, indent=2, ensure_ascii=False), "utf-8")
    return [_describe(v) for v in results["violations"] if v["impact"] in FAILING_IMPACTS]


def assert_accessible(page: Page, name: str) -> None:
    """Fail on serious or critical axe violations on the page showing now."""
    problems = accessibility_problems(page, name)
    assert not problems, f"axe found serious or critical problems on {name} ({page.url}):\n" + (
        "\n".join(f"  {p}" for p in problems)
    )
