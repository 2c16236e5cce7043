"""Hot wallets, the destinations a recovery may go to: config `[hot_wallets]`, env `RECOVERY_HOT_WALLETS_<ID>`."""

from __future__ import annotations

from pathlib import Path

import pytest

from recovery.config import Config, hot_wallets, hot_wallets_env, load_config
from recovery.errors import BadInput


def test_config_table_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[hot_wallets]\nethereum = ["0xaa", " 0xbb "]\n"bitcoin-cash" = ["qq1"]\n')
    config = load_config(cfg)
    assert hot_wallets(config, "ethereum") == ["0xaa", "0xbb"] and hot_wallets(config, "bsc") == []
    assert hot_wallets_env("bitcoin-cash") == "RECOVERY_HOT_WALLETS_BITCOIN_CASH"
    monkeypatch.setenv("RECOVERY_HOT_WALLETS_BITCOIN_CASH", "qq2, qq3,")
    assert hot_wallets(config, "bitcoin-cash") == ["qq2", "qq3"]        # the environment wins, like RPC
    monkeypatch.setenv("RECOVERY_HOT_WALLETS_BSC", "0xcc")
    assert hot_wallets(Config(), "bsc") == ["0xcc"]                     # no config file at all


@pytest.mark.parametrize("text", ['hot_wallets = "0xaa"\n', '[hot_wallets]\nethereum = "0xaa"\n',
                                  '[hot_wallets]\nethereum = [1]\n'])
def test_a_malformed_table_is_bad_input_naming_it(tmp_path: Path, text: str) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    with pytest.raises(BadInput, match=r"\[hot_wallets\] must be a table of network id = \[addresses\]"):
        load_config(cfg)
