"""The `--lang` option and the printing of a message for the user, shared by the commands that write one."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from recovery.commands.common import emit_json, err, out

LangOpt = Annotated[str | None, typer.Option(
    "--lang", help="Language of the message for the user: en, zh-Hant, zh-Hans, vi or it (regional tags such "
                   "as zh-TW or zh-CN are taken too). Default en.")]


def user_language(tag: str | None, option: str = "--lang") -> str:
    """The supported tag (bad input, exit 2, naming the option and the list); a warning on stderr when the
    language's catalogue was not compiled, so its message reads in English."""
    from recovery.i18n import catalogue_missing, language

    lang = language(tag, option)
    if catalogue_missing(lang):
        err().print(f"warning: the {lang} message catalogue is not compiled (run `make setup`): the message is "
                    "in English", markup=False, highlight=False)
    return lang


def emit_letter(text: str, json_: bool, doc: dict[str, Any]) -> None:
    """The message on stdout, or `doc` with it as one JSON document."""
    if json_:
        emit_json({**doc, "message": text})
    else:
        out().print(text, markup=False, highlight=False, end="")
