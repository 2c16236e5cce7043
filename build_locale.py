"""The package build step that compiles the message catalogues (`recovery/locale/*/LC_MESSAGES/*.po`) into
the `.mo` files gettext reads, so every install, editable or not, has them (`make setup` does it too)."""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py

LOCALE = Path(__file__).resolve().parent / "recovery" / "locale"


class BuildPy(build_py):
    """build_py that compiles the catalogues first (beside their sources, so package data picks them up)."""

    def run(self) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with po.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)
        super().run()
