"""Triage (COACHING_RULES.md §1): every red flag, the acute window, and no path to training past an emergency."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backsafe.coach.history import History, TriageEntry
from backsafe.coach.plan import build_plan
from backsafe.coach.triage import (
    CLINICIAN_FLAGS,
    EMERGENCY_FLAGS,
    QUESTIONS,
    SOFT_FLAGS,
    TriageAnswers,
    answers_from_mapping,
    triage,
)
from backsafe.coach.wording import DISCLAIMER, check_wording
from backsafe.errors import InputError, ValueRangeError

DAY = dt.date(2026, 11, 20)


def test_flag_lists_cover_the_rules() -> None:
    assert set(EMERGENCY_FLAGS) == {"bladder_bowel_change", "saddle_numbness", "bilateral_leg_weakness",
                                    "sexual_dysfunction", "chest_pain", "fainting", "severe_breathlessness"}
    assert set(CLINICIAN_FLAGS) == {"new_pain_age", "cancer_history", "weight_loss", "fever",
                                    "iv_drugs_or_immunosuppression", "steroids_or_osteoporosis",
                                    "significant_trauma", "constant_night_pain", "leg_pain_numbness_weakness",
                                    "no_improvement_4_6_weeks"}


@pytest.mark.parametrize("flag", EMERGENCY_FLAGS)
def test_each_emergency_flag(flag: str) -> None:
    r = triage(TriageAnswers(frozenset({flag})), DAY)
    assert r.outcome == "emergency"
    assert "seek emergency care now" in r.headline.lower()
    assert not r.trains


@pytest.mark.parametrize("flag", CLINICIAN_FLAGS)
def test_each_clinician_flag(flag: str) -> None:
    r = triage(TriageAnswers(frozenset({flag})), DAY)
    assert r.outcome == "clinician"
    assert "see a clinician" in r.headline.lower()
    assert "not a diagnosis" in r.headline
    assert "walking" in r.allowed and "no loaded" in r.allowed
    cleared = triage(TriageAnswers(frozenset({flag}), clinician_cleared=True), DAY)
    assert cleared.outcome == "proceed" and cleared.notes


@pytest.mark.parametrize("flag", SOFT_FLAGS)
def test_each_soft_flag_proceeds_with_a_note(flag: str) -> None:
    r = triage(TriageAnswers(frozenset({flag})), DAY)
    assert r.outcome == "proceed"
    assert r.soft_flags == (flag,)
    assert any("carefully" in n for n in r.notes)


@pytest.mark.parametrize(("days_ago", "outcome"), [(0, "rest"), (1, "rest"), (3, "rest"), (4, "rest"),
                                                  (5, "proceed"), (30, "proceed")])
def test_acute_window_96h(days_ago: int, outcome: str) -> None:
    r = triage(TriageAnswers(injury_date=DAY - dt.timedelta(days=days_ago)), DAY)
    assert r.outcome == outcome
    if outcome == "rest":
        assert "walking" in r.allowed and "no loaded or impact work" in r.allowed
        assert "bed rest is not recommended" in r.headline.lower()


def test_injury_in_future_is_rejected() -> None:
    with pytest.raises(ValueRangeError, match="after"):
        triage(TriageAnswers(injury_date=DAY + dt.timedelta(days=1)), DAY)


def test_unknown_flag_rejected() -> None:
    with pytest.raises(InputError, match="unknown triage flag"):
        TriageAnswers(frozenset({"headache"}))
    with pytest.raises(InputError, match="true or false"):
        answers_from_mapping({"fever": "maybe"})


def test_emergency_beats_clearance_and_acute_window() -> None:
    r = triage(TriageAnswers(frozenset({"saddle_numbness", "fever"}), injury_date=DAY, clinician_cleared=True), DAY)
    assert r.outcome == "emergency"


def test_earlier_emergency_gates_until_cleared() -> None:
    prev = [(DAY - dt.timedelta(days=3), "emergency")]
    assert triage(TriageAnswers(), DAY, previous=prev).outcome == "clinician"
    assert triage(TriageAnswers(clinician_cleared=True), DAY, previous=prev).outcome == "proceed"


flag_sets = st.frozensets(st.sampled_from([q.id for q in QUESTIONS]))


@settings(max_examples=200, deadline=None)
@given(flags=flag_sets, cleared=st.booleans(), injury=st.one_of(st.none(), st.integers(0, 60)),
       prev=st.lists(st.sampled_from(["proceed", "rest", "clinician", "emergency"]), max_size=3))
def test_no_path_past_an_emergency_flag(flags, cleared, injury, prev) -> None:
    answers = TriageAnswers(flags, injury_date=None if injury is None else DAY - dt.timedelta(days=injury),
                            clinician_cleared=cleared)
    previous = [(DAY - dt.timedelta(days=i + 1), o) for i, o in enumerate(prev)]
    r = triage(answers, DAY, previous=previous)
    if flags & set(EMERGENCY_FLAGS):
        assert r.outcome == "emergency"
    if flags & set(CLINICIAN_FLAGS) and not cleared:
        assert r.outcome in ("emergency", "clinician")
    if any(o in ("emergency", "clinician") for o in prev) and not cleared:
        assert r.outcome in ("emergency", "clinician")
    assert r.disclaimer == DISCLAIMER
    assert check_wording(r.to_text()) == []
    # the plan never trains past it
    hist = History(triage=(TriageEntry(DAY, r.outcome, answers.to_json()),)
                   + tuple(TriageEntry(d, o, {}) for d, o in previous))
    plan = build_plan(hist, DAY)
    assert plan.triage.outcome == r.outcome
    if r.outcome == "emergency":
        assert plan.exercises == () and plan.warmup == ()
    if r.outcome in ("clinician", "rest"):
        assert all(p.load_kg == 0 for p in plan.exercises)
        assert {p.exercise for p in plan.exercises} <= {"walking", "cat_camel"}


def test_acute_window_moves_with_the_plan_date() -> None:
    answers = TriageAnswers(injury_date=DAY)
    hist = History(triage=(TriageEntry(DAY, "rest", answers.to_json()),))
    assert build_plan(hist, DAY + dt.timedelta(days=2)).to_json()["triage"] == "rest"
    late = build_plan(hist, DAY + dt.timedelta(days=6))
    assert late.to_json()["triage"] == "proceed"
    # still recovering (strain < 4 weeks ago): no jumps
    plan = build_plan(hist, DAY + dt.timedelta(days=6), exercises=["jump_squat"])
    assert plan.exercises[0].exercise == "squat"


def test_wording_of_all_questions_and_results() -> None:
    for q in QUESTIONS:
        assert check_wording(q.text) == []
    assert check_wording("This is safe and prevents injury") != []
