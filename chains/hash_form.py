"""What is wrong with a malformed transaction hash, in words, read from the network's `tx_hash_regex`.

The registry's hash patterns are of one shape, `^PREFIX[CLASS]{N}$` or `{MIN,MAX}` (PREFIX empty, fixed,
or optional as `(0x)?`; an optional `(@...)?` suffix), or an alternation of such; anything else gets the
pattern itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SIMPLE = re.compile(r"(?P<prefix>\((?P<opt>[^()|]+)\)\?|[A-Za-z0-9]*)\[(?P<cls>[^\]]+)\]"
                     r"\{(?P<min>\d+)(?:,(?P<max>\d+))?\}(?P<tail>=\?)?(?P<at>\(@[^()]*\)\?)?")
_CLASS_NAMES = {
    "0-9a-fA-F": ("hex digit", "hex digits"),
    "1-9A-HJ-NP-Za-km-z": ("base58 character", "base58 characters"),
    "A-Z2-7": ("base32 character (A-Z, 2-7)", "base32 characters (A-Z, 2-7)"),
    "A-Za-z0-9_+/-": ("base64 character", "base64 characters"),
}


@dataclass(frozen=True, slots=True)
class Form:
    """One simple form: a prefix (required or optional), a character class and a length range."""

    prefix: str
    optional: bool
    cls: str
    low: int
    high: int
    tail: str
    at_suffix: bool = False

    def count(self) -> str:
        """`64 hex digits`, `43 to 44 base58 characters`."""
        one, many = _CLASS_NAMES.get(self.cls, (f"character of [{self.cls}]", f"characters of [{self.cls}]"))
        n = str(self.low) if self.low == self.high else f"{self.low} to {self.high}"
        return f"{n} {one if self.high == 1 else many}"

    def expected(self) -> str:
        """What a hash of this form looks like, in words."""
        where = ""
        if self.prefix:
            where = f" after {self.prefix}" if not self.optional else f" (with or without {self.prefix})"
        return f"{self.count()}{where}" + (" (an @ suffix may follow)" if self.at_suffix else "")

    def problem(self, value: str) -> str:
        """Why the value is not of this form."""
        body = value
        if self.prefix and value.lower().startswith(self.prefix.lower()):
            body = value[len(self.prefix):]
        elif self.prefix and not self.optional:
            return f"{self.expected()} expected: it does not start with {self.prefix}"
        elif not self.prefix and value[:2].lower() == "0x" and "x" not in self.cls:
            return f"{self.expected()} expected, without 0x"
        if self.at_suffix and "@" in body:
            body = body.split("@", 1)[0]
        if self.tail and body.endswith("="):
            body = body[:-1]
        cls = re.compile(f"[{self.cls}]")
        bad = next(((i, ch) for i, ch in enumerate(body) if not cls.fullmatch(ch)), None)
        if bad is not None:
            one = _CLASS_NAMES.get(self.cls, ("allowed character",))[0]
            at = bad[0] + 1 + len(value) - len(body) - (1 if self.tail and value.endswith("=") else 0)
            return f"{self.expected()} expected; {bad[1]!r} (character {at}) is not a {one}"
        if self.low <= len(body) <= self.high:
            return f"{self.expected()} expected; the part after @ is not of the expected form"
        return f"{self.expected()} expected, got {len(body)}"


def forms(regex: str) -> list[Form] | None:
    """The simple forms a pattern accepts, or None when it is not of the simple shape."""
    inner = regex.removeprefix("^").removesuffix("$")
    if inner.startswith("(") and inner.endswith(")") and "|" in inner and not _SIMPLE.fullmatch(inner):
        parts = inner[1:-1].split("|")
    else:
        parts = [inner]
    found = []
    for part in parts:
        m = _SIMPLE.fullmatch(part)
        if m is None:
            return None
        prefix = m["opt"] or m["prefix"]
        low = int(m["min"])
        found.append(Form(prefix, m["opt"] is not None, m["cls"], low, int(m["max"] or low), m["tail"] or "",
                          m["at"] is not None))
    return found


def explain(value: str, regex: str) -> str:
    """What is wrong with the value, in words (`64 hex digits after 0x expected, got 62`)."""
    shapes = forms(regex)
    if not shapes:
        return f"expected the form {regex}"
    if len(shapes) == 1:
        return shapes[0].problem(value)
    return " or ".join(f.expected() for f in shapes) + f" expected, got {len(value)} characters"
