"""One way to print money for people: the asset's symbol at its display precision, USD to the cent.

Only the text is shortened; stored values and JSON stay exact. A shortened amount starts with `≈`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

DISPLAY_PLACES = 8        # at most this many decimals on screen, however many the asset has
SIGNIFICANT = 4           # a tiny amount keeps this many significant digits rather than showing 0
CENT = Decimal("0.01")


def _dec(value: Decimal | str | int) -> Decimal:
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def _plain(value: Decimal) -> str:
    """Exact text without trailing zeros or exponent."""
    if value == 0:
        return "0"
    with localcontext() as ctx:
        ctx.prec = len(value.as_tuple().digits) + 1
        return format(value.normalize(), "f")


def places_for(value: Decimal, decimals: int | None = None) -> int:
    """How many decimals to show: the asset's, capped at DISPLAY_PLACES, more only for a tiny amount."""
    cap = DISPLAY_PLACES if decimals is None else min(decimals, DISPLAY_PLACES)
    if value == 0 or abs(value) >= Decimal(1).scaleb(-cap):
        return max(cap, 0)
    wanted = -abs(value).adjusted() + SIGNIFICANT - 1   # the first significant digit and three more
    return wanted if decimals is None else min(wanted, decimals)


def number(value: Decimal | str | int, decimals: int | None = None) -> str:
    """The amount's digits at display precision: `0.6`, `1,234.5`, `≈ 0.12345679`; exact when it fits."""
    v = _dec(value)
    places = places_for(v, decimals)
    with localcontext() as ctx:
        ctx.prec = 100
        shown = v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    text = _plain(shown)
    whole, _, frac = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = sign + f"{int(whole.lstrip('-') or 0):,}" + (f".{frac}" if frac else "")
    return grouped if shown == v else f"≈ {grouped}"


def amount(value: Decimal | str | int | None, symbol: str, decimals: int | None = None) -> str:
    """An amount with its unit: `0.5 ETH`, `25,000 RNDM`; empty for no amount."""
    if value is None:
        return ""
    return f"{number(value, decimals)} {symbol}".strip()


def usd(value: Decimal | str | int | None) -> str:
    """A USD value to the cent: `50.00 USD`, `1,506.28 USD`."""
    if value is None:
        return ""
    v = _dec(value)
    with localcontext() as ctx:
        ctx.prec = 100
        cents = v.quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{cents:,.2f} USD"
