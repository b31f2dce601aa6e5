"""Triage (COACHING_RULES.md §1): every red flag, the acute window, and no path to training past an emergency."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backsafe.coach.history import Clearance, History, TriageEntry
from backsafe.coach.plan import build_plan
from backsafe.coach.triage import (
    CLINICIAN_FLAGS,
    EMERGENCY_FLAGS,
    QUESTIONS,
    SOFT_FLAGS,
    TriageAnswers,
    answers_from_mapping,
    clearance_scope,
    triage,
)
from backsafe.coach.wording import DISCLAIMER, check_wording
from backsafe.errors import InputError, ValueRangeError

DAY = dt.date(2026, 11, 20)


# §1 urgency, written out from COACHING_RULES (not from the code): same-day combinations.
SAME_DAY_ALONE = {"fever", "significant_trauma", "nerve_deficit_worsening"}


def expected_tier(flags: frozenset[str]) -> str:
    if flags & set(EMERGENCY_FLAGS):
        return "emergency"
    urgent = bool(flags & SAME_DAY_ALONE) or ({"minor_trauma", "steroids_or_osteoporosis"} <= flags) or (
        "cancer_history" in flags and bool(flags & {"constant_night_pain", "weight_loss",
                                                    "leg_pain_numbness_weakness", "nerve_deficit_worsening"}))
    if urgent:
        return "urgent"
    return "clinician" if flags & set(CLINICIAN_FLAGS) else "proceed"


def test_flag_lists_cover_the_rules() -> None:
    assert set(EMERGENCY_FLAGS) == {"bladder_bowel_change", "saddle_numbness", "bilateral_leg_weakness",
                                    "sexual_dysfunction", "chest_pain", "fainting", "severe_breathlessness"}
    assert set(CLINICIAN_FLAGS) == {"new_pain_age", "cancer_history", "weight_loss", "fever",
                                    "iv_drugs_or_immunosuppression", "steroids_or_osteoporosis",
                                    "significant_trauma", "constant_night_pain", "leg_pain_numbness_weakness",
                                    "no_improvement_4_6_weeks", "nerve_deficit_worsening"}


@pytest.mark.parametrize("flag", EMERGENCY_FLAGS)
def test_each_emergency_flag(flag: str) -> None:
    r = triage(TriageAnswers(frozenset({flag})), DAY)
    assert r.outcome == "emergency"
    assert "seek emergency care now" in r.headline.lower()
    assert not r.trains
    assert r.to_text(color=True).startswith("\x1b[1;31mEMERGENCY")  # §9: the tier stands out, first line
    assert r.to_text().startswith("EMERGENCY")


@pytest.mark.parametrize("flag", CLINICIAN_FLAGS)
def test_each_clinician_flag(flag: str) -> None:
    r = triage(TriageAnswers(frozenset({flag})), DAY)
    assert r.outcome == expected_tier(frozenset({flag}))
    if r.outcome == "urgent":
        assert "today" in r.headline and r.urgency == "urgent"
    else:
        assert "see a clinician within the next 1-2 weeks" in r.headline.lower() and r.urgency == "soon"
    assert "not a diagnosis" in r.headline
    assert "walking" in r.allowed and "no loaded" in r.allowed
    # clearance is stored (a Clearance), not a checkbox: answering "cleared" alone changes nothing
    assert triage(TriageAnswers(frozenset({flag}), clinician_cleared=True), DAY).outcome == r.outcome
    scope = clearance_scope(TriageAnswers(frozenset({flag}), clinician_cleared=True), [], DAY)
    cleared = triage(TriageAnswers(frozenset({flag})), DAY, clearances=[Clearance(DAY, scope)])
    assert cleared.outcome == "proceed" and cleared.notes and cleared.cleared == (flag,)
    assert "no red flags" not in cleared.to_text().lower() and "cleared you" in cleared.to_text()


@pytest.mark.parametrize(("flags", "tier"), [
    ({"cancer_history", "constant_night_pain", "weight_loss"}, "urgent"),
    ({"cancer_history"}, "clinician"),
    ({"minor_trauma", "steroids_or_osteoporosis"}, "urgent"),
    ({"steroids_or_osteoporosis"}, "clinician"),
    ({"minor_trauma"}, "proceed"),
    ({"fever", "iv_drugs_or_immunosuppression"}, "urgent"),
    ({"leg_pain_numbness_weakness"}, "clinician"),
])
def test_urgency_combinations(flags: set[str], tier: str) -> None:
    r = triage(TriageAnswers(frozenset(flags)), DAY)
    assert r.outcome == tier == expected_tier(frozenset(flags))
    soft = triage(TriageAnswers(frozenset({"poor_sleep"})), DAY)
    if tier != "proceed":
        assert r.headline != soft.headline  # cancer history + night pain + weight loss is not the calm text


def test_a_cleared_flag_stays_cleared_and_a_new_one_retriggers() -> None:
    d1 = DAY - dt.timedelta(days=10)
    fever = TriageAnswers(frozenset({"fever"}))
    first = triage(fever, d1)
    assert first.outcome == "urgent"
    records = [TriageEntry(d1, first.outcome, fever.to_json())]
    clear = Clearance(d1 + dt.timedelta(days=1), clearance_scope(fever, records, d1 + dt.timedelta(days=1)))
    assert clear.flags == {"fever"}
    # still answering fever a week later: covered (today's main re-triggered it)
    r = triage(fever, DAY, previous=records, clearances=[clear])
    assert r.outcome == "proceed" and r.cleared == ("fever",)
    # a new flag after the clearance re-triggers
    r2 = triage(TriageAnswers(frozenset({"fever", "constant_night_pain"})), DAY, previous=records, clearances=[clear])
    assert r2.outcome == "clinician" and r2.cleared == ("fever",)
    # a covered flag that went away and came back re-triggers
    gone = records + [TriageEntry(d1 + dt.timedelta(days=3), "proceed", TriageAnswers().to_json())]
    assert triage(fever, DAY, previous=gone, clearances=[clear]).outcome == "urgent"


@pytest.mark.parametrize("flag", SOFT_FLAGS)
def test_each_soft_flag_proceeds_with_a_note(flag: str) -> None:
    r = triage(TriageAnswers(frozenset({flag})), DAY)
    assert r.outcome == "proceed"
    assert r.soft_flags == (flag,)
    assert any("changes the session" in n for n in r.notes)
    assert "no red flags" not in r.to_text().lower()


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
    prev = [TriageEntry(DAY - dt.timedelta(days=3), "emergency", {"flags": ["saddle_numbness"]})]
    assert triage(TriageAnswers(), DAY, previous=prev).outcome == "clinician"
    scope = clearance_scope(TriageAnswers(clinician_cleared=True), prev, DAY)
    assert scope == {"saddle_numbness"}
    assert triage(TriageAnswers(), DAY, previous=prev, clearances=[Clearance(DAY, scope)]).outcome == "proceed"


def test_not_checked_is_its_own_state() -> None:
    plan = build_plan(History(), DAY)
    assert plan.to_json()["triage"] == "not_checked"
    text = plan.to_text()
    assert "NOT CHECKED YET" in text.splitlines()[2] and "no red flags" not in text.lower()
    assert all(p.load_kg == 0 for p in plan.exercises) and {p.exercise for p in plan.exercises} == {"walking"}


flag_sets = st.frozensets(st.sampled_from([q.id for q in QUESTIONS]))


@settings(max_examples=200, deadline=None)
@given(flags=flag_sets, cleared=st.booleans(), injury=st.one_of(st.none(), st.integers(0, 60)),
       prev=st.lists(st.sampled_from(["proceed", "rest", "clinician", "emergency"]), max_size=3))
def test_no_path_past_an_emergency_flag(flags, cleared, injury, prev) -> None:
    answers = TriageAnswers(flags, injury_date=None if injury is None else DAY - dt.timedelta(days=injury),
                            clinician_cleared=cleared)
    previous = [TriageEntry(DAY - dt.timedelta(days=i + 1), o, {}) for i, o in enumerate(prev)]
    clearances = [Clearance(DAY, clearance_scope(answers, previous, DAY))] if cleared else []
    r = triage(answers, DAY, previous=previous, clearances=clearances)
    if flags & set(EMERGENCY_FLAGS):
        assert r.outcome == "emergency"
    if not cleared:
        assert r.outcome == expected_tier(flags) or (
            r.outcome in ("clinician", "rest") and expected_tier(flags) == "proceed")
    if any(o in ("emergency", "clinician") for o in prev) and not cleared:
        assert r.outcome in ("emergency", "urgent", "clinician")
    assert r.disclaimer == DISCLAIMER
    assert check_wording(r.to_text()) == []
    # the plan never trains past it
    hist = History(triage=tuple(previous) + (TriageEntry(DAY, r.outcome, answers.to_json()),),
                   clearances=tuple(clearances))
    plan = build_plan(hist, DAY)
    assert plan.triage.outcome == r.outcome
    if r.outcome in ("emergency", "urgent"):
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
