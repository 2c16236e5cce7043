"""Actor names: trimmed, one person whatever the case, a near match offered for a typo."""

from __future__ import annotations

import pytest

from recovery import actor_names
from recovery.cases import CaseService
from recovery.db import session_scope
from recovery.errors import Refused


def test_clean_key_same_near() -> None:
    assert actor_names.clean("  Sam   Lee ") == "Sam Lee"
    assert actor_names.key(" SAM ") == actor_names.key("sam")
    assert actor_names.same(" Sam ", ["ann", "sam"]) == "sam"
    assert actor_names.same("samuel", ["ann", "sam"]) is None
    assert actor_names.near("sma", ["ann", "sam"]) == "sam"
    assert actor_names.near("zed", ["ann", "sam"]) is None


def test_acting_actor_found_whatever_the_case_and_spaces(engine) -> None:
    svc = CaseService(engine)
    svc.add_actor("sam", ["agent"])
    with session_scope(engine) as s:
        for typed in ("sam", "Sam", " sam ", "SAM"):
            assert svc.actor(s, typed, "agent").name == "sam"
        with pytest.raises(Refused, match="did you mean 'sam'"):
            svc.actor(s, "sma", "agent")


def test_a_second_spelling_of_an_existing_name_is_refused(engine) -> None:
    svc = CaseService(engine)
    svc.add_actor("sam", ["agent"])
    with pytest.raises(Refused, match=r"'sam' exists already.*actors add sam --role wallet"):
        svc.add_actor("Sam", ["wallet"])
    assert svc.add_actor(" sam ", ["wallet"]).role_set() == {"agent", "wallet"}   # trimmed: the same name
    with session_scope(engine) as s:
        assert svc.actor(s, "sam", "wallet").name == "sam"
