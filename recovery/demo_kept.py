"""The demo's nodes after `demo --keep`: what it left in its folder, mining, and a recovery sent by hand.

`demo --keep` writes OUT/devnet.json (node URLs, database URL, hot wallets); `demo mine` and
`demo send-recovery` read it to talk to the nodes still running.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from recovery.anvil import Anvil
from recovery.errors import NotConfigured, Refused

STATE_FILE = "devnet.json"
CHAIN_IDS = {"ethereum": 1, "bsc": 56}


@dataclass(frozen=True)
class Kept:
    """The kept demo: where its nodes listen, its database, the hot wallet per network."""

    urls: dict[str, str]
    database_url: str
    hot_wallets: dict[str, str]

    def save(self, out_dir: Path) -> Path:
        """Write OUT/devnet.json."""
        path = out_dir / STATE_FILE
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return path


def load(out_dir: Path) -> Kept:
    """The kept demo of OUT, or an error saying to run `recovery demo --keep` first."""
    path = out_dir.resolve() / STATE_FILE
    try:
        doc = json.loads(path.read_text())
        return Kept(dict(doc["urls"]), str(doc["database_url"]), dict(doc["hot_wallets"]))
    except FileNotFoundError:
        raise NotConfigured(f"no kept demo in {path.parent}: run `recovery demo --keep --out {out_dir}` "
                            "first (and leave it running)") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise NotConfigured(f"{path} is not a demo state file ({exc}): run `recovery demo --keep` again") from None


def node(kept: Kept, network: str) -> Anvil:
    """The running node of a network, checked to answer."""
    if network not in kept.urls:
        raise Refused(f"the demo has no {network} node (it runs {', '.join(sorted(kept.urls))})")
    url = kept.urls[network]
    anvil = Anvil(CHAIN_IDS.get(network, 0))
    anvil.port = int(url.rsplit(":", 1)[1])
    try:
        anvil.rpc("eth_blockNumber")
    except Exception as exc:  # requests' connection errors: the node is gone
        raise NotConfigured(f"the demo's {network} node at {url} does not answer ({type(exc).__name__}): is "
                            "`recovery demo --keep` still running?") from None
    return anvil


def mine(kept: Kept, network: str, blocks: int) -> int:
    """Mine `blocks` blocks on the kept node; returns the new head."""
    anvil = node(kept, network)
    anvil.mine(blocks)
    return int(anvil.rpc("eth_blockNumber"), 16)


def curl_mine(url: str, blocks: int) -> str:
    """The curl line that mines `blocks` blocks on an Anvil node."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "anvil_mine", "params": [hex(blocks)]})
    return f"curl -s -X POST -H 'Content-Type: application/json' --data '{body}' {url}"


def activate_line() -> str:
    """`source …/bin/activate` of the environment this `recovery` runs in (absolute)."""
    return f"source {Path(sys.executable).parent / 'activate'}"


@dataclass(frozen=True)
class Sent:
    """A recovery transaction sent on the devnet."""

    tx_hash: str
    network: str
    from_address: str
    to_address: str
    asset: str
    symbol: str
    base_units: int
    decimals: int
    blocks_mined: int


def send_recovery(kept: Kept, case_id: int, mine_blocks: bool = True) -> Sent:
    """From the case's deposit address (an unlocked dev account) to the demo's hot wallet, the quoted net."""
    from chains.networks import get_network
    from recovery.case_models import Case, Quote
    from recovery.db import make_engine, session_scope
    from recovery.devnet import send_native, send_token
    from recovery.errors import BadInput
    from recovery.quotes import base_amounts

    engine = make_engine(kept.database_url)
    try:
        with session_scope(engine) as s:
            case = s.get(Case, case_id)
            if case is None:
                raise BadInput(f"case {case_id} does not exist in {kept.database_url}")
            quote = s.get(Quote, case.quote_id) if case.quote_id else None
            if case.status != "approved" or quote is None:
                raise Refused(f"case {case_id} is {case.status}: a recovery is sent once the case is approved "
                              "(quote, accept, and the wallet, clearing and security approvals)")
            if not case.deposit_address:
                raise Refused(f"case {case_id} has no deposit address to recover from")
            network, deposit = case.network, case.deposit_address
            asset, symbol, decimals, net = quote.asset, quote.symbol, quote.decimals, base_amounts(quote)["net"]
    finally:
        engine.dispose()
    hot = kept.hot_wallets.get(network)
    if not hot:
        raise Refused(f"the demo has no hot wallet on {network}")
    anvil = node(kept, network)
    tx = (send_native(anvil, deposit, hot, net) if asset == "native"
          else send_token(anvil, deposit, asset, hot, net))
    blocks = get_network(network).min_confirmations if mine_blocks else 0
    if blocks:
        anvil.mine(blocks)
    return Sent(tx, network, deposit, hot, asset, symbol, net, decimals, blocks)
