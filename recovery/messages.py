"""The messages for the user, in their language: what happened, what it costs and why, what they receive,
until when the offer stands, and what to do next.

Kinds (`KINDS`): a quote is an `offer` (with a fee), `free` (no fee) or `defer_advice` (a small claim: we
advise waiting); a deferred case gets `deferred`; a verified claim without a quote gets `recoverable`,
`wait` (pending, suspended, not reachable), `unrecoverable` (credited, contract, not our address, failed,
not found) or `found_elsewhere` (not found on its network, found on a sibling).

Every text is an English sentence in `T` (the gettext msgid); `texts()` lists them for the catalogues.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from chains.base import NATIVE
from chains.networks import get_network
from recovery.i18n import N_, Speaker, speaker
from recovery.outcomes import OUTCOMES, Outcome, info

if TYPE_CHECKING:
    from recovery.case_models import Quote
    from recovery.triage import Verdict

KINDS = ("offer", "free", "defer_advice", "deferred", "recoverable", "wait", "unrecoverable", "found_elsewhere")


class T:
    """The English texts (msgids). Placeholders are `{name}`; a translation keeps every one of them."""

    dear = N_("Dear {user},")
    hello = N_("Hello,")
    regards = N_("Kind regards,")
    team = N_("The deposit recovery team")
    unknown_cause = N_("the deposit could not be credited automatically")

    token_named = N_(" (the token {symbol}, contract address {address})")
    token_address = N_(" (the token with contract address {address})")

    # -- a quote ----------------------------------------------------------------------------------------
    found = N_("Thank you for your patience while we looked into your deposit. We have found your deposit of "
               "{amount}{token} on {network}: {cause}.")
    free = N_("Good news: the full {amount} can be credited to your account at no cost to you.")
    fee = N_("To recover it, we charge a service fee of {fee} (about {fee_usd}).")
    network_fee = N_("The recovery transaction also needs a network fee of {network_fee}, which we pass on at "
                     "cost.")
    why_direct = N_("Our fee for networks we support directly is {percent}% of the deposit's value "
                    "(here {value}), at least {min} and at most {max}.")
    why_conditional = N_("{network} is a network we do not yet support directly; for such networks our fee is "
                         "{percent}% of the deposit's value (here {value}), at least {min} and at most {max}.")
    why_minimum = N_("For this amount, the minimum fee applies.")
    why_maximum = N_("For this amount, the maximum fee applies.")
    why_flat = N_("For a deposit that arrived without the right memo or tag, we charge a flat fee of {flat}, "
                  "whatever the amount.")
    why_policy = N_("The fee follows our published recovery policy.")
    why_capped = N_("The fee would be more than the deposit itself, so it is limited to the amount of the "
                    "deposit.")
    receive = N_("You would receive {net} in your account.")
    advise_wait = N_("Our advice, however, is to wait rather than recover it now.")
    small = N_("The deposit is worth about {value}, and for claims under {limit} the fees would take too large "
               "a share of it.")
    share = N_("The fees ({cost}) would be more than {percent}% of the deposit's value ({value}).")
    share_unknown = N_("The fees would take too large a share of the deposit's value.")
    later_conditional = N_("{network} may become a directly supported network later. Recovery would then cost "
                           "less, and waiting costs you nothing: your claim stays open with us.")
    later_direct = N_("Support for this deposit may improve later, for example if we list the asset; recovery "
                      "would then cost less, or nothing at all. Waiting costs you nothing: your claim stays "
                      "open with us.")
    still_now = N_("If you prefer, you can still ask us to recover it now on the terms above.")
    valid_until = N_("This offer is valid until {expiry}.")
    next_accept = N_("To go ahead, simply reply to this message before then. If we do not hear from you, the "
                     "offer lapses and nothing is charged; you can ask us for a new offer at any time.")
    next_choose = N_("Please reply to tell us whether you would like to wait, as we recommend, or to recover it "
                     "now. To recover it now, please reply before the offer expires.")

    # -- a deferred case ----------------------------------------------------------------------------------
    deferred = N_("Thank you for your reply. As agreed, we are not recovering your deposit of {amount}{token} on "
                  "{network} for now: {cause}.")
    deferred_cost = N_("Recovering it today would cost {cost} in fees, too large a share of its value of about "
                       "{value}.")
    nothing_to_do = N_("Nothing is charged while your claim waits, and you do not need to do anything now. If "
                       "you would like us to recover the funds sooner after all, just reply and we will send you "
                       "a new offer with the fees of that day.")

    # -- a verified claim, before any quote -----------------------------------------------------------------
    checked = N_("Thank you for your patience. We have checked your claim for the transaction {tx} on "
                 "{network}.")
    checked_amount = N_("Thank you for your patience. We have checked your deposit of {amount} on {network} "
                        "(transaction {tx}).")
    what_found = N_("What we found: {cause}.")
    can_recover = N_("The good news is that these funds can be recovered. We will send you an offer that states "
                     "any fee, the amount you will receive and until when the offer stands. You do not need to "
                     "do anything until then.")
    can_credit = N_("The good news is that this deposit can be credited to your account without any fee. We "
                    "will let you know as soon as it is done; you do not need to do anything.")
    wait_pending = N_("This is normal for a recent transaction: once it has enough confirmations, it is credited "
                      "automatically. You do not need to do anything; please check your balance again a little "
                      "later.")
    wait_suspended = N_("Your funds are not lost: the deposit will be credited once deposits reopen. You do not "
                        "need to do anything, and we will let you know.")
    wait_unverifiable = N_("This is a temporary problem on our side, not with your funds. We will check again "
                           "shortly and write to you; you do not need to do anything.")
    no_credited = N_("Please look for it in the deposit history of your account. If you cannot find it there, "
                     "reply to this message with a screenshot of your deposit history and we will look again.")
    no_contract = N_("We are very sorry: funds sent to a token contract are out of our reach, and we cannot "
                     "recover them. If you think we are mistaken, please reply with the details of the "
                     "transfer.")
    no_stranger = N_("We are very sorry: only the owner of that address can return the funds. Please check the "
                     "address you sent to; if you know its owner, contact them directly. If you believe the "
                     "address is ours, reply with a screenshot of the deposit address shown in your account.")
    no_failed = N_("Because the transaction failed, your funds did not leave your wallet; only the network fee "
                   "was spent. You can simply send them again to your deposit address.")
    no_not_found = N_("Please check that the transaction hash and the network are right. If you sent the funds "
                      "over another network, reply and tell us which one. If you sent them only minutes ago, "
                      "they may not have reached the network yet: please try again a little later.")
    no_other = N_("We are very sorry that we cannot recover these funds. If you have any questions, please "
                  "reply to this message.")
    elsewhere = N_("We found the transaction on {other} instead, so we will continue your claim there and write "
                   "to you again. You do not need to do anything.")


def texts() -> Iterator[str]:
    """Every msgid: the texts above and the outcomes' causes (recovery.outcomes)."""
    yield from (v for k, v in vars(T).items() if not k.startswith("_") and isinstance(v, str))
    yield from (i.text for i in OUTCOMES.values())


# the next step after the cause, for a claim that cannot be recovered or must wait
_NEXT = {
    Outcome.CREDITED: T.no_credited, Outcome.CONTRACT_ADDRESS: T.no_contract,
    Outcome.NOT_OUR_ADDRESS: T.no_stranger, Outcome.FAILED: T.no_failed, Outcome.NOT_FOUND: T.no_not_found,
    Outcome.PENDING: T.wait_pending, Outcome.DEPOSITS_SUSPENDED: T.wait_suspended,
    Outcome.UNVERIFIABLE: T.wait_unverifiable,
}


@dataclass(frozen=True)
class Letter:
    """A message: its kind and its text."""

    kind: str
    text: str


def _cause(sp: Speaker, outcome: str | None, network_name: str) -> str:
    if outcome is None or outcome not in Outcome._value2member_map_:
        return sp._(T.unknown_cause)
    return sp._(info(outcome).text, network=network_name)


def _letter(sp: Speaker, user_id: str | None, paragraphs: list[str]) -> str:
    greeting = sp._(T.dear, user=user_id) if user_id else sp._(T.hello)
    body = [greeting, *[p for p in paragraphs if p], sp._(T.regards) + "\n" + sp._(T.team)]
    return "\n\n".join(body) + "\n"


def _join(sp: Speaker, *sentences: str) -> str:
    """Sentences of one paragraph; Chinese runs on without spaces between them."""
    return ("" if sp.lang.startswith("zh") else " ").join(s for s in sentences if s)


def _token(sp: Speaker, asset: str, symbol: str, outcome: str | None) -> str:
    """An unlisted token named once in full: its chain symbol (if known) and its whole contract address."""
    from recovery.triage import short

    if asset == NATIVE or (outcome != "unlisted_token" and symbol != short(asset)):
        return ""
    if symbol != short(asset):
        return sp._(T.token_named, symbol=symbol, address=asset)
    return sp._(T.token_address, address=asset)


def _why(sp: Speaker, q: Quote, network_name: str) -> str:
    from recovery.fees import rule_terms

    r = rule_terms(q.rule)
    said: list[str] = []
    if r.kind == "tier" and r.percent is not None and r.min_usd is not None and r.max_usd is not None:
        figures = {"percent": sp.number(r.percent), "value": sp.usd(q.usd_value), "min": sp.usd(r.min_usd),
                   "max": sp.usd(r.max_usd)}
        said.append(sp._(T.why_direct, **figures) if r.tier == "direct"
                    else sp._(T.why_conditional, network=network_name, **figures))
        if r.bound == "minimum":
            said.append(sp._(T.why_minimum))
        elif r.bound == "maximum":
            said.append(sp._(T.why_maximum))
    elif r.kind == "memo_flat" and r.flat_usd is not None:
        said.append(sp._(T.why_flat, flat=sp.usd(r.flat_usd)))
    else:
        said.append(sp._(T.why_policy))
    if r.capped:
        said.append(sp._(T.why_capped))
    return _join(sp, *said)


def _why_wait(sp: Speaker, q: Quote) -> str:
    from recovery.fees import reason_terms

    r = reason_terms(q.reason)
    if r.kind == "small" and r.value_usd is not None and r.limit_usd is not None:
        return sp._(T.small, value=sp.usd(r.value_usd), limit=sp.usd(r.limit_usd))
    if r.kind == "share" and r.cost_usd is not None and r.share_percent is not None and r.value_usd is not None:
        return sp._(T.share, cost=sp.usd(r.cost_usd), percent=sp.number(r.share_percent),
                    value=sp.usd(r.value_usd))
    return sp._(T.share_unknown)


def _later(sp: Speaker, q: Quote, network_name: str) -> str:
    """Why waiting may pay: a network not yet directly supported may become so, and cost less then (the
    quote's own tier when its rule names one, else the network's)."""
    from recovery.fees import rule_terms

    tier = rule_terms(q.rule).tier or get_network(q.network).tier
    if tier == "direct":
        return sp._(T.later_direct)
    return sp._(T.later_conditional, network=network_name)


def quote_letter(q: Quote, *, user_id: str | None = None, outcome: str | None = None,
                 lang: str | None = None, sp: Speaker | None = None) -> Letter:
    """The offer of a quote: `free`, `offer`, or `defer_advice` when it recommends waiting."""
    sp = sp or speaker(lang)
    net = get_network(q.network)
    gross = sp.amount(q.gross, q.symbol, q.decimals)
    paras = [sp._(T.found, amount=gross, token=_token(sp, q.asset, q.symbol, outcome), network=net.name,
                  cause=_cause(sp, outcome, net.name))]
    if q.fee == 0 and q.network_fee == 0:
        kind = "free"
        paras.append(sp._(T.free, amount=gross))
    else:
        cost = [sp._(T.fee, fee=sp.amount(q.fee, q.symbol, q.decimals), fee_usd=sp.usd(q.fee_usd))]
        if q.network_fee > 0:
            cost.append(sp._(T.network_fee, network_fee=sp.amount(q.network_fee, q.symbol, q.decimals)))
        cost.append(_why(sp, q, net.name))
        paras += [_join(sp, *cost), sp._(T.receive, net=sp.amount(q.net, q.symbol, q.decimals))]
        kind = "defer_advice" if q.recommendation == "defer" else "offer"
    if kind == "defer_advice":
        paras += [_join(sp, sp._(T.advise_wait), _why_wait(sp, q)), _later(sp, q, net.name),
                  sp._(T.still_now)]
    paras.append(_join(sp, sp._(T.valid_until, expiry=sp.when(q.expires_at)),
                       sp._(T.next_choose if kind == "defer_advice" else T.next_accept)))
    return Letter(kind, _letter(sp, user_id, paras))


def deferred_letter(q: Quote, *, user_id: str | None = None, outcome: str | None = None,
                    lang: str | None = None, sp: Speaker | None = None) -> Letter:
    """A case deferred on its quote: why we wait, why waiting may make it cheaper, and that nothing is due."""
    sp = sp or speaker(lang)
    net = get_network(q.network)
    paras = [sp._(T.deferred, amount=sp.amount(q.gross, q.symbol, q.decimals),
                  token=_token(sp, q.asset, q.symbol, outcome), network=net.name,
                  cause=_cause(sp, outcome, net.name))]
    cost = q.fee_usd + (q.network_fee_usd or Decimal(0))
    if cost > 0:
        paras.append(sp._(T.deferred_cost, cost=sp.usd(cost), value=sp.usd(q.usd_value)))
    paras += [_later(sp, q, net.name), sp._(T.nothing_to_do)]
    return Letter("deferred", _letter(sp, user_id, paras))


def verdict_letter(v: Verdict, *, user_id: str | None = None, lang: str | None = None,
                   sp: Speaker | None = None) -> Letter:
    """What a verification found, before any quote: recoverable, wait, unrecoverable, or found elsewhere."""
    from recovery.triage import short

    sp = sp or speaker(lang)
    net = get_network(v.network)
    symbol = v.symbol or v.token_symbol or (short(v.asset) if v.asset and v.asset != NATIVE else None)
    if v.amount is not None and symbol:
        opening = sp._(T.checked_amount, amount=sp.amount(v.amount, symbol, v.decimals), network=net.name,
                       tx=v.tx_hash)
    else:
        opening = sp._(T.checked, tx=v.tx_hash, network=net.name)
    paras = [opening, sp._(T.what_found, cause=_cause(sp, v.outcome.value, net.name))]
    effect = info(v.outcome).effect
    if v.outcome is Outcome.NOT_FOUND and v.found_on_network:
        kind = "found_elsewhere"
        try:
            other = get_network(v.found_on_network).name
        except Exception:   # noqa: BLE001 - a sibling id the registry no longer has: its id is its name
            other = v.found_on_network
        paras.append(sp._(T.elsewhere, other=other))
    elif effect == "recoverable":
        kind = "recoverable"
        paras.append(sp._(T.can_credit if info(v.outcome).fee_rule == "no_fee" else T.can_recover))
    else:
        kind = "wait" if effect == "wait" else "unrecoverable"
        paras.append(sp._(_NEXT.get(v.outcome, T.no_other)))
    return Letter(kind, _letter(sp, user_id or v.user_id, paras))
