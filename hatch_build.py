"""Build hook: compile the gettext catalogs (.po) into .mo files at build time.

The .mo files are build output (ignored by git); an editable install writes them
next to their .po sources so the running app finds them.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_catalogs(root: Path) -> list[Path]:
    written = []
    for po_path in sorted((root / "surveyapp" / "translations").glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo_path)
    return written


class CatalogBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        root = Path(self.root)
        for mo_path in compile_catalogs(root):
            relative = mo_path.relative_to(root).as_posix()
            build_data["force_include"][str(mo_path)] = relative
