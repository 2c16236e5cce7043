"""`--lang` as a user gives it: case quote/defer --message, quote --message, batch verify; an unknown
language is one line naming the option, exit 2."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.numbers import parse_decimal

from recovery.i18n import speaker
from recovery.messages import T
from tests.support.cli import ok, run

pytestmark = pytest.mark.anvil


def test_case_quote_and_defer_speak_the_users_language(scenario_env: dict[str, str], evm_scenario: Any) -> None:
    assert run("actors", "add", "ann", "--role", "agent")[0] == 0
    claim = evm_scenario.claim("ETH dust under the minimum")
    cid = str(ok("case", "open", "--network", "ethereum", "--tx", claim.tx_hash, "--user", claim.user_id,
                 actor="ann")["id"])
    assert ok("case", "verify", cid, actor="ann")["outcome"] == "below_minimum"

    code, _, err = run("case", "quote", cid, "--message", "--lang", "fr", actor="ann")
    assert code == 2 and "--lang must be one of en, zh-Hant, zh-Hans, vi, it" in err and "'fr'" in err
    assert run("case", "quote", cid, "--lang", "vi", actor="ann")[0] == 2     # --lang without --message

    doc = ok("case", "quote", cid, "--message", "--lang", "zh-TW", actor="ann")
    assert doc["lang"] == "zh-Hant" and doc["kind"] == ("defer_advice" if doc["quote"]["recommendation"] == "defer"
                                                        else "offer")
    text, q = doc["message"], doc["quote"]
    assert text.startswith(f"{claim.user_id} 您好：")
    # the figures, read back with the locale's rules, are the quote's
    assert f"{parse_decimal(q['gross'], locale='en')} ETH" in text.replace(",", "")
    assert "低於最低存款額" in text and "ETH" in text
    code, plain, _ = run("case", "quote", cid, "--message", "--lang", "zh-Hant", actor="ann")
    assert code == 0 and plain == text

    code, _, err = run("case", "defer", cid, "--message", "--lang", "xx", actor="ann")
    assert code == 2 and "--lang" in err
    doc = ok("case", "defer", cid, "--message", "--lang", "vi", actor="ann")
    assert doc["status"] == "deferred" and doc["kind"] == "deferred" and doc["lang"] == "vi"
    sp = speaker("vi")
    assert sp._(T.later_direct) in doc["message"] and sp._(T.nothing_to_do) in doc["message"]
    fee_usd = Decimal(q["fee_usd"]) + Decimal(q["network_fee_usd"] or 0)
    assert sp.usd(fee_usd) in doc["message"]


def test_quote_message_and_batch_lang(scenario_env: dict[str, str], evm_scenario: Any, tmp_path: Path) -> None:
    doc = ok("quote", "--network", "ethereum", "--asset", "native", "--amount", "2", "--outcome",
             "wrong_network", "--message", "--lang", "it")
    assert doc["kind"] in ("offer", "defer_advice") and doc["lang"] == "it"
    text, q = doc["message"], doc["quote"]
    assert text.startswith("Buongiorno,") and "Riceverebbe" in text
    assert "2 ETH" in text and "Gentile" not in text
    net = Decimal(q["net"])
    shown = [parse_decimal(n, locale="it", strict=True) for n in
             re.findall(r"Riceverebbe (?:≈ )?([\d.,]+) ETH", text)]
    assert shown and abs(shown[0] - net) < Decimal("1e-8")
    code, _, err = run("quote", "--network", "ethereum", "--asset", "native", "--amount", "2", "--message",
                       "--lang", "klingon")
    assert code == 2 and "--lang" in err

    claims = tmp_path / "claims.csv"
    claims.write_text("network,tx_hash\nethereum," + evm_scenario.claims[0].tx_hash + "\n")
    code, _, err = run("batch", "verify", str(claims), "-o", str(tmp_path / "out.csv"), "--lang", "xx", "-q")
    assert code == 2 and "--lang must be one of" in err
    code, _, err = run("batch", "verify", str(claims), "-o", str(tmp_path / "out.csv"), "--lang", "zh-CN", "-q")
    assert code == 0, err
    out = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert "user_message" in out.splitlines()[0] and "您好" in out
