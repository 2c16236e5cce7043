"""The batch's user_message column: in --lang, or in the row's `language`; an unknown language reads in
English and the row says so; without either, no column is added."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recovery.batch import BatchOptions, run_batch
from recovery.errors import BadInput
from recovery.i18n import speaker
from recovery.outcomes import info
from tests.recovery.test_batch import env, mixed_rows, read_csv, write_csv  # noqa: F401 - env is a fixture

pytestmark = pytest.mark.anvil

LANGS = ["zh-TW", "", "it", "fr", "zh-Hans", "VI", "en"]
MEANT = {"zh-TW": "zh-Hant", "": "vi", "it": "it", "fr": "en", "zh-Hans": "zh-Hans", "VI": "vi", "en": "en"}


def test_user_messages_follow_the_language_column_then_lang(evm_scenario: Any, env: Any,  # noqa: F811
                                                           tmp_path: Path) -> None:
    from chains.networks import get_network

    rows = [{**r, "language": LANGS[i % len(LANGS)]} for i, r in enumerate(mixed_rows(evm_scenario))]
    run_batch(env, write_csv(tmp_path / "claims.csv", rows), tmp_path / "out.csv",
              options=BatchOptions(chunk_size=4, lang="vi"))
    out = read_csv(tmp_path / "out.csv")
    assert list(out[0])[-2:] == ["error", "user_message"]
    seen = set()
    for given, got in zip(rows, out, strict=True):
        if given["note"].startswith("error:"):
            assert got["user_message"] == ""
            continue
        lang = MEANT[given["language"]]
        sp = speaker(lang)
        cause = sp._(info(got["outcome"]).text, network=get_network(got["network"]).name)
        assert cause in got["user_message"], (lang, got)
        assert given["tx_hash"].lower() in got["user_message"].lower()
        greeting = sp._("Dear {user},", user=given["user_id"]) if given["user_id"] else sp._("Hello,")
        assert got["user_message"].startswith(greeting + "\n")
        assert ("language 'fr' is not one we write in" in got["error"]) == (given["language"] == "fr")
        seen.add(lang)
    assert seen == {"zh-Hant", "zh-Hans", "vi", "it", "en"}


def test_no_lang_and_no_language_column_adds_no_column(evm_scenario: Any, env: Any,  # noqa: F811
                                                       tmp_path: Path) -> None:
    rows = mixed_rows(evm_scenario)[:3]
    run_batch(env, write_csv(tmp_path / "plain.csv", rows), tmp_path / "plain-out.csv")
    assert "user_message" not in read_csv(tmp_path / "plain-out.csv")[0]
    # an input column named user_message is kept, renamed, beside the one the run adds
    named = [{**r, "user_message": "from the user"} for r in rows]
    run_batch(env, write_csv(tmp_path / "named.csv", named), tmp_path / "named-out.csv",
              options=BatchOptions(lang="it"))
    got = read_csv(tmp_path / "named-out.csv")
    assert got[0]["claimed_user_message"] == "from the user" and got[0]["user_message"].startswith("Gentile ")


def test_resume_keeps_the_language_of_the_first_run(evm_scenario: Any, env: Any, tmp_path: Path) -> None:  # noqa: F811
    from recovery.batch_progress import Progress, fingerprint, progress_path

    rows = mixed_rows(evm_scenario)
    src = write_csv(tmp_path / "claims.csv", rows)
    out = tmp_path / "out.csv"
    Progress(input=str(src), input_fingerprint=fingerprint(src),
             options={"open_cases": False, "user_message": "it"}).save(progress_path(out))
    with pytest.raises(BadInput, match="written by a run with --lang it"):
        run_batch(env, src, out, resume=True, options=BatchOptions(lang="vi"))
