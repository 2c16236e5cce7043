"""The user's language: language tags, gettext catalogues, and numbers, money and dates for the locale.

Texts are written in English in the code (the msgid *is* the English text), so a language without a
catalogue, or a message its catalogue lacks, reads in English, never as a key. Catalogues are the `.po`
files in `recovery/locale/<locale>/LC_MESSAGES/recovery.po`, compiled to `.mo` by the package build and by
`make setup` (`python -m recovery.i18n --compile`). Babel is imported only when a message is rendered.

`python -m recovery.i18n --update` writes the template (`recovery/locale/recovery.pot`) from the texts the
code uses and merges it into every catalogue; `--compile` compiles them.
"""

from __future__ import annotations

import gettext
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from pathlib import Path

from recovery.errors import BadInput

DOMAIN = "recovery"
LOCALE_DIR = Path(__file__).with_name("locale")
ENGLISH = "en"

#: tag shown to people -> Babel / gettext locale id
LANGUAGES: dict[str, str] = {"en": "en", "zh-Hant": "zh_Hant", "zh-Hans": "zh_Hans", "vi": "vi", "it": "it"}
#: regional tags taken for the script they are written in
_ALIASES = {"zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans",
            "zh": "zh-Hans"}


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for a text marked but translated later
    """Mark a text for the catalogue; it is translated where it is rendered."""
    return text


def language_list() -> str:
    """The supported tags, for help and error texts."""
    return ", ".join(LANGUAGES)


def find_language(tag: str | None) -> str | None:
    """The supported tag for `tag` (case and `_`/`-` do not matter; `zh-TW` is zh-Hant, `en-GB` is en),
    or None when the language is not one we write in."""
    if tag is None:
        return None
    t = tag.strip().replace("_", "-").lower()
    if not t:
        return None
    for known in LANGUAGES:
        if t == known.lower():
            return known
    if t in _ALIASES:
        return _ALIASES[t]
    parts = t.split("-")
    if parts[0] == "zh":   # zh-Hant-TW, zh-Hans-CN, zh-TW-x...
        for p in parts[1:]:
            if p in ("hant", "tw", "hk", "mo"):
                return "zh-Hant"
            if p in ("hans", "cn", "sg"):
                return "zh-Hans"
        return None
    return parts[0] if parts[0] in LANGUAGES else None


def language(tag: str | None, option: str = "--lang") -> str:
    """The supported tag for `tag` (English when None), or bad input naming the option and the list."""
    if tag is None:
        return ENGLISH
    found = find_language(tag)
    if found is None:
        raise BadInput(f"{option} must be one of {language_list()} (or a regional tag such as zh-TW), not {tag!r}")
    return found


def catalogue_path(lang: str, localedir: Path | None = None) -> Path:
    """Where the compiled catalogue of a language is looked for."""
    return (localedir or LOCALE_DIR) / LANGUAGES[lang] / "LC_MESSAGES" / f"{DOMAIN}.mo"


def catalogue_missing(lang: str, localedir: Path | None = None) -> bool:
    """A language other than English whose compiled catalogue is not there (its messages read in English)."""
    return lang != ENGLISH and not catalogue_path(lang, localedir).is_file()


@lru_cache(maxsize=32)
def _translations(lang: str, localedir: Path | None) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, str(localedir or LOCALE_DIR), languages=[LANGUAGES[lang]], fallback=True)


# -- formatting for the locale ------------------------------------------------------------------------

DISPLAY_PLACES = 8   # as recovery.money: at most this many decimals in a text, however many the asset has


@dataclass(frozen=True)
class Speaker:
    """Texts and figures in one language: `_` translates, the rest format for the locale."""

    lang: str
    localedir: Path | None = None

    @property
    def locale(self) -> str:
        """The Babel locale id."""
        return LANGUAGES[self.lang]

    def _(self, text: str, **values: object) -> str:
        """The text in this language (English when the catalogue lacks it), placeholders filled."""
        said = _translations(self.lang, self.localedir).gettext(text)
        try:
            return said.format(**values)
        except (KeyError, IndexError, ValueError):   # a broken translation: the English text, never a key
            return text.format(**values)

    def number(self, value: Decimal, decimals: int | None = None) -> str:
        """An amount's digits at display precision, grouped for the locale; `≈ ` when shortened (exact
        Decimal arithmetic throughout, never a float)."""
        from babel.numbers import format_decimal

        from recovery.money import places_for

        places = places_for(value, decimals)
        with localcontext() as ctx:
            ctx.prec = 100
            shown = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
        pattern = "#,##0" + ("." + "#" * places if places > 0 else "")
        text = format_decimal(shown, format=pattern, locale=self.locale, decimal_quantization=False)
        return text if shown == value else f"≈ {text}"

    def amount(self, value: Decimal, symbol: str, decimals: int | None = None) -> str:
        """`0.5 ETH`, `25.000 RNDM` (it), `≈ 0,00331945 ETH` (vi)."""
        return f"{self.number(value, decimals)} {symbol}".strip()

    def usd(self, value: Decimal) -> str:
        """A USD value to the cent in the locale's currency format: `$10.00`, `10,00 US$`."""
        from babel.numbers import format_currency

        with localcontext() as ctx:
            ctx.prec = 100
            cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return format_currency(cents, "USD", locale=self.locale)

    def when(self, moment: datetime) -> str:
        """A date and time in UTC, written for the locale: `December 4, 2026, 01:05 UTC`."""
        from babel.dates import format_date, format_time, get_datetime_format

        at = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        date = format_date(at, "long", locale=self.locale)
        time = format_time(at, "HH:mm", tzinfo=UTC, locale=self.locale)
        return str(get_datetime_format("medium", locale=self.locale)).replace("'", "").format(f"{time} UTC", date)


def speaker(lang: str | None = None, localedir: Path | None = None) -> Speaker:
    """A speaker of a supported tag (English when None); an unknown tag is bad input."""
    return Speaker(language(lang), localedir)


# -- catalogues: template, merge, compile ----------------------------------------------------------------


def msgids() -> list[str]:
    """Every text the messages use, in a stable order (the template's entries)."""
    from recovery.messages import texts

    return list(dict.fromkeys(texts()))


def catalogue_sources(localedir: Path | None = None) -> Iterator[Path]:
    """The `.po` file of every language other than English that has one."""
    for lang, loc in LANGUAGES.items():
        po = (localedir or LOCALE_DIR) / loc / "LC_MESSAGES" / f"{DOMAIN}.po"
        if lang != ENGLISH and po.is_file():
            yield po


def compile_catalogues(localedir: Path | None = None, log: Callable[[str], None] | None = None) -> list[Path]:
    """Compile every `.po` under `localedir` into the `.mo` beside it; returns the files written.
    Fuzzy entries are left out (they read in English)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    root = localedir or LOCALE_DIR
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        mo = po.with_suffix(".mo")
        tmp = mo.with_name(mo.name + ".tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        tmp.replace(mo)
        written.append(mo)
        if log:
            log(f"compiled {po} -> {mo.name}")
    return written


_PLACEHOLDER = re.compile(r"{(\w*)}")


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders of a text."""
    return set(_PLACEHOLDER.findall(text))


def update_catalogues(localedir: Path | None = None) -> None:
    """Write the template from the code's texts and merge it into every catalogue (new texts untranslated,
    texts the code no longer uses dropped)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    root = localedir or LOCALE_DIR
    template = Catalog(project="recovery", domain=DOMAIN, charset="utf-8")
    for text in msgids():
        template.add(text, flags=("python-brace-format",) if placeholders(text) else ())
    with (root / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, template, width=116, omit_header=False)
    for po in catalogue_sources(root):
        with po.open("rb") as fh:
            catalog = read_po(fh)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po.open("wb") as fh:
            write_po(fh, catalog, width=116)


def main(argv: list[str]) -> int:
    """`python -m recovery.i18n --update | --compile`."""
    if argv == ["--update"]:
        update_catalogues()
        return 0
    if argv == ["--compile"]:
        compile_catalogues()
        return 0
    sys.stderr.write("usage: python -m recovery.i18n --update | --compile\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
