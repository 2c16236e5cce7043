"""Messages for the user in every language: every kind rendered in every language, its figures read back
with the locale's own number rules and checked against the quote; catalogues complete and compiled; a
missing translation reads in English, never as a key."""

from __future__ import annotations

import gettext
import re
from dataclasses import replace
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from babel.dates import get_month_names
from babel.messages.pofile import read_po
from babel.numbers import parse_decimal

from recovery.case_models import Quote
from recovery.errors import BadInput
from recovery.fees import compute, load_policy, reason_terms, rule_terms
from recovery.i18n import (
    LANGUAGES,
    LOCALE_DIR,
    Speaker,
    catalogue_path,
    compile_catalogues,
    find_language,
    language,
    msgids,
    placeholders,
    speaker,
)
from recovery.messages import KINDS, T, deferred_letter, quote_letter, verdict_letter
from recovery.money import places_for
from recovery.outcomes import Outcome, info
from recovery.triage import Verdict

POLICY = load_policy()
EXPIRES = datetime(2026, 12, 4, 9, 35, tzinfo=UTC)
TOKEN = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"


def make_quote(network: str, outcome: str, gross: str, price: str, *, symbol: str, decimals: int,
               network_fee: str = "0", asset: str = "native", listed: bool = True) -> Quote:
    """A quote as build_quote makes it, from the default policy's arithmetic (no database needed)."""
    from chains.networks import get_network

    b = compute(POLICY, tier=get_network(network).tier, outcome=outcome, listed=listed, gross=Decimal(gross),
                decimals=decimals, usd_price=Decimal(price), network_fee=Decimal(network_fee))
    return Quote(network=network, asset=asset, symbol=symbol, decimals=decimals, gross=b.gross, fee=b.fee,
                 network_fee=b.network_fee, net=b.net, usd_price=Decimal(price), usd_value=b.usd_value,
                 fee_usd=b.fee_usd, network_fee_usd=b.network_fee_usd, rule=b.rule,
                 recommendation=b.recommendation, reason=b.reason, price_source="import",
                 price_as_of=EXPIRES, expires_at=EXPIRES)


QUOTES = {   # name -> (quote, outcome, the kind of its message)
    "direct tier with a network fee": (make_quote("ethereum", "wrong_network", "1.5", "3000", symbol="ETH",
                                                  decimals=18, network_fee="0.0004"), "wrong_network", "offer"),
    "maximum applied": (make_quote("ethereum", "below_minimum", "100", "3000", symbol="ETH", decimals=18),
                        "below_minimum", "offer"),
    "memo flat fee": (make_quote("xrp", "missing_memo", "1000", "0.5", symbol="XRP", decimals=6),
                      "missing_memo", "offer"),
    "unlisted token, shortened amounts": (
        make_quote("ethereum", "unlisted_token", "25000.123456789012345678", "0.004", symbol="RNDM",
                   decimals=18, asset=TOKEN, listed=False), "unlisted_token", "offer"),
    "no fee": (make_quote("ethereum", "uncredited", "0.5", "3000", symbol="ETH", decimals=18), "uncredited",
               "free"),
    "small claim on a conditional network": (make_quote("xrp", "wrong_network", "20", "1.5", symbol="XRP",
                                                        decimals=6), "wrong_network", "defer_advice"),
    "fees over half the value": (make_quote("xrp", "wrong_network", "160", "0.5", symbol="XRP", decimals=6),
                                 "wrong_network", "defer_advice"),
    "small claim on a direct network": (make_quote("ethereum", "below_minimum", "0.005", "3000", symbol="ETH",
                                                   decimals=18), "below_minimum", "defer_advice"),
}


def verdict(outcome: Outcome, **more: object) -> Verdict:
    return Verdict(network="ethereum", tx_hash="0x" + "ab" * 32, status="confirmed", outcome=outcome, reason="r",
                   asset="native", symbol="ETH", amount=Decimal("0.25"), decimals=18, **more)  # type: ignore[arg-type]


VERDICTS = {o.value: verdict(o) for o in Outcome}
VERDICTS["found elsewhere"] = verdict(Outcome.NOT_FOUND, found_on_network="bsc")
OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != "en"]


# -- reading figures back out of a text, with the locale's rules --------------------------------------------

_NUM = r"\d[\d.,\u00a0\u202f]*\d|\d"


def amounts(text: str, symbol: str, locale: str) -> list[tuple[Decimal, bool]]:
    """Every `AMOUNT SYMBOL` of the text as (value, shortened), parsed with Babel for the locale."""
    found = re.findall(rf"(≈ )?({_NUM}) {re.escape(symbol)}(?![\w])", text)
    return [(parse_decimal(n, locale=locale, strict=True), bool(approx)) for approx, n in found]


def usd_amounts(text: str, locale: str) -> list[Decimal]:
    """Every USD value of the text ($1.00, US$1.00, 1,00 US$, 1,00 USD), parsed for the locale."""
    found = re.findall(rf"(?:US\$|\$)({_NUM})|({_NUM})\u00a0(?:US\$|USD)", text)
    return [parse_decimal(a or b, locale=locale, strict=True) for a, b in found]


def shown(value: Decimal, decimals: int) -> Decimal:
    """The value at display precision (what a `≈` amount stands for)."""
    return value.quantize(Decimal(1).scaleb(-places_for(value, decimals)), rounding=ROUND_HALF_EVEN)


def assert_has_amount(text: str, value: Decimal, q: Quote, locale: str) -> None:
    got = amounts(text, q.symbol, locale)
    assert (value, False) in got or ((shown(value, q.decimals), True) in got and shown(value, q.decimals) != value), \
        (value, got, text)


def assert_has_expiry(text: str, moment: datetime, locale: str) -> None:
    month = get_month_names("wide", locale=locale)[moment.month]
    assert str(moment.year) in text and f"{moment.hour:02d}:{moment.minute:02d} UTC" in text, text
    assert re.search(rf"(?<!\d){moment.day}(?!\d)", text) and (month in text or f"{moment.month}月" in text), text


def english_left(text: str) -> list[str]:
    """English sentences (msgid fragments of 15 characters or more) found in a text."""
    fragments = {f.strip() for m in msgids() for f in re.split(r"{\w*}", m) if len(f.strip()) >= 15}
    return sorted(f for f in fragments if f in text)


def assert_clean(text: str) -> None:
    """No placeholder or key left: every brace filled, no kind or text name (`defer_advice`, `why_flat`)."""
    assert "{" not in text and "}" not in text, text
    keys = [k for k in (*KINDS, *vars(T)) if "_" in k.strip("_")]
    assert not [k for k in keys if k in text], text


# -- every kind in every language ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", list(QUOTES))
def test_every_quote_message_in_every_language_carries_the_quotes_figures(name: str, lang: str) -> None:
    q, outcome, kind = QUOTES[name]
    letter = quote_letter(q, user_id="u-1001", outcome=outcome, lang=lang)
    text, locale = letter.text, LANGUAGES[lang]
    assert letter.kind == kind
    assert_clean(text)
    assert "u-1001" in text.splitlines()[0]
    assert_has_amount(text, q.gross, q, locale)
    if kind == "free":
        assert q.fee == 0 and usd_amounts(text, locale) == []
    else:
        assert_has_amount(text, q.fee, q, locale)
        assert_has_amount(text, q.net, q, locale)
        if q.network_fee:
            assert_has_amount(text, q.network_fee, q, locale)
        usd = usd_amounts(text, locale)
        assert q.fee_usd in usd
        terms = rule_terms(q.rule)
        if terms.kind == "tier":
            assert {q.usd_value, terms.min_usd, terms.max_usd} <= set(usd), (usd, text)
            assert f"{terms.percent}%" in text.replace("\u00a0", "")
        if terms.kind == "memo_flat":
            assert terms.flat_usd in usd
        if kind == "defer_advice":
            why = reason_terms(q.reason)
            assert why.value_usd in usd and (why.limit_usd in usd if why.kind == "small" else why.cost_usd in usd)
    assert_has_expiry(text, q.expires_at, locale)
    if q.asset == TOKEN:
        assert text.count(TOKEN) == 1
    if lang != "en":
        assert text != quote_letter(q, user_id="u-1001", outcome=outcome, lang="en").text
        assert english_left(text) == [], english_left(text)


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", [n for n, (_, _, kind) in QUOTES.items() if kind == "defer_advice"])
def test_the_deferral_says_why_waiting_may_cost_less(name: str, lang: str) -> None:
    q, outcome, _ = QUOTES[name]
    sp = speaker(lang)
    letter = deferred_letter(q, user_id="u-1001", outcome=outcome, sp=sp)
    text, locale = letter.text, LANGUAGES[lang]
    assert letter.kind == "deferred"
    assert_clean(text)
    assert_has_amount(text, q.gross, q, locale)
    assert {q.fee_usd + (q.network_fee_usd or 0), q.usd_value} <= set(usd_amounts(text, locale))
    if q.network == "xrp":   # not yet directly supported: it may become so, and recovery would cost less
        later = sp._(T.later_conditional, network="XRP Ledger")
        assert later in text and "XRP Ledger" in later
        if lang == "en":
            assert "may become a directly supported network later" in text and "cost less" in text
    else:
        assert sp._(T.later_direct) in text
    if lang != "en":
        assert english_left(text) == [], english_left(text)


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", list(VERDICTS))
def test_every_verdict_message_in_every_language(name: str, lang: str) -> None:
    v = VERDICTS[name]
    sp = speaker(lang)
    letter = verdict_letter(v, lang=lang)
    text = letter.text
    assert_clean(text)
    assert v.tx_hash in text and "Ethereum" in text
    assert amounts(text, "ETH", LANGUAGES[lang]) == [(Decimal("0.25"), False)]
    effect = info(v.outcome).effect
    expected = "found_elsewhere" if v.found_on_network else \
        {"recoverable": "recoverable", "wait": "wait", "unrecoverable": "unrecoverable"}[effect]
    assert letter.kind == expected
    assert sp._(info(v.outcome).text, network="Ethereum") in text    # what happened, in the language
    if v.found_on_network:
        assert "BNB Smart Chain" in text or "BSC" in text
    if lang != "en":
        assert english_left(text) == [], english_left(text)
    assert text.splitlines()[0] == sp._(T.hello)


def test_every_kind_is_rendered_above() -> None:
    kinds = {k for _, _, k in QUOTES.values()} | {"deferred"}
    kinds |= {verdict_letter(v).kind for v in VERDICTS.values()}
    assert kinds == set(KINDS)


# -- language tags -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "expected"), [
    ("en", "en"), ("EN", "en"), ("en-GB", "en"), ("zh-Hant", "zh-Hant"), ("zh_hant", "zh-Hant"),
    ("zh-TW", "zh-Hant"), ("zh_HK", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"), ("zh-Hans", "zh-Hans"),
    ("zh-CN", "zh-Hans"), ("zh", "zh-Hans"), ("vi", "vi"), ("vi-VN", "vi"), ("it", "it"), ("it_CH", "it"),
    ("fr", None), ("", None), ("zh-XX", None), ("english", None)])
def test_language_tags(tag: str, expected: str | None) -> None:
    assert find_language(tag) == expected


def test_an_unknown_language_is_bad_input_naming_the_option_and_the_list() -> None:
    with pytest.raises(BadInput, match=r"--lang must be one of en, zh-Hant, zh-Hans, vi, it .*not 'fr'"):
        language("fr")
    assert language(None) == "en"


# -- catalogues --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_each_catalogue_translates_every_text_keeping_its_placeholders(lang: str) -> None:
    po = LOCALE_DIR / LANGUAGES[lang] / "LC_MESSAGES" / "recovery.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    entries = {m.id: m for m in catalog if m.id}
    assert set(entries) == set(msgids())
    for mid, m in entries.items():
        assert m.string and not m.fuzzy, mid
        assert placeholders(m.string) == placeholders(mid), (mid, m.string)
        assert m.string != mid, mid


def test_the_template_lists_exactly_the_codes_texts() -> None:
    with (LOCALE_DIR / "recovery.pot").open("rb") as fh:
        assert [m.id for m in read_po(fh) if m.id] == msgids()


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_the_compiled_catalogue_is_built_from_its_source(lang: str) -> None:
    """`make setup` and the package build compile the .po; the .mo gettext reads says what the .po says."""
    mo = catalogue_path(lang)
    assert mo.is_file(), f"{mo} is not compiled: run `make setup`"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    with mo.with_suffix(".po").open("rb") as fh:
        source = {m.id: m.string for m in read_po(fh) if m.id}
    assert {mid: compiled.gettext(mid) for mid in source} == source


def test_a_missing_translation_reads_in_english_never_as_a_key(tmp_path: Path) -> None:
    """A test-only Italian catalogue that translates the greeting and one sentence, and breaks another's
    placeholder: the rest, and the broken one, read in English; the figures stay Italian."""
    po_dir = tmp_path / "it" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    po_dir.joinpath("recovery.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Hello,"\nmsgstr "Ciao,"\n\n'
        'msgid "You would receive {net} in your account."\nmsgstr "Riceverebbe {net}."\n\n'
        'msgid "This offer is valid until {expiry}."\nmsgstr "Valida fino al {scadenza}."\n\n'
        '#, fuzzy\nmsgid "Kind regards,"\nmsgstr "Saluti (da rivedere),"\n', encoding="utf-8")
    assert compile_catalogues(tmp_path) == [po_dir / "recovery.mo"]
    q, outcome, _ = QUOTES["direct tier with a network fee"]
    text = quote_letter(q, outcome=outcome, sp=Speaker("it", tmp_path)).text
    english = quote_letter(q, outcome=outcome, lang="en").text
    assert text.startswith("Ciao,\n") and "Riceverebbe 1,4246 ETH." in text
    assert "This offer is valid until 4 dicembre 2026" in text   # the broken entry: English, Italian date
    assert "Kind regards," in text and "Saluti" not in text       # a fuzzy entry is not compiled
    assert "We have found your deposit of 1,5 ETH on Ethereum" in text
    assert_clean(text)
    assert text != english
    # no catalogue at all: the whole message in English
    empty = tmp_path / "none"
    empty.mkdir()
    assert quote_letter(q, outcome=outcome, sp=Speaker("vi", empty)).text.startswith("Hello,\n")


# -- the stored rule and reason read back ---------------------------------------------------------------------


@pytest.mark.parametrize(("tier", "outcome", "gross", "price"), [
    ("direct", "wrong_network", "1.5", "3000"), ("direct", "wrong_network", "0.001", "3000"),
    ("conditional", "below_minimum", "1000", "3000"), ("direct", "missing_memo", "100", "1"),
    ("direct", "uncredited", "1", "1"), ("conditional", "wrong_network", "1", "30")])
def test_rule_and_reason_texts_read_back_to_the_policys_figures(tier: str, outcome: str, gross: str,
                                                              price: str) -> None:
    b = compute(POLICY, tier=tier, outcome=outcome, listed=True, gross=Decimal(gross), decimals=8,
                usd_price=Decimal(price))
    r = rule_terms(b.rule)
    if outcome == "uncredited":
        assert r.kind == "no_fee" and reason_terms(b.reason).kind == "no_fee"
        return
    if outcome == "missing_memo":
        assert r == replace(r, kind="memo_flat", flat_usd=POLICY.memo_flat_usd)
    else:
        rule = POLICY.tiers[tier]
        assert (r.kind, r.tier, r.percent, r.min_usd, r.max_usd) == ("tier", tier, rule.percent, rule.min_usd,
                                                                    rule.max_usd)
        assert r.capped == (b.fee == b.gross)
    why = reason_terms(b.reason)
    assert why.kind == ("fair" if b.recommendation == "recover" else why.kind)
    assert why.value_usd == b.usd_value
    if why.kind == "small":
        assert why.limit_usd == POLICY.small_below_usd
    if why.kind == "share":
        assert why.share_percent == POLICY.max_fee_share * 100
    assert rule_terms("a rule written by hand").kind == "unknown"
    assert reason_terms("a reason written by hand").kind == "unknown"
