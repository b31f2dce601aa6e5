"""The fault-rule contract (faults/rule.py ``FaultRule``) and its registry (faults/rules/__init__.py ``ALL_RULES``):
every rule module is registered, every rule keeps the contract, and a new rule needs one new module and one
registry line (docs/architecture.md "Adding a fault rule", whose example this test runs)."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
from fault_builders import bumps, make_kin, make_reps

from backsafe.exercises import get_exercise
from backsafe.faults import rules
from backsafe.faults.base import FaultContext, flag_reps, measure_reps
from backsafe.faults.registry import check_faults
from backsafe.faults.rule import FaultRule, Rule
from backsafe.faults.rules._views import sagittal
from backsafe.model import Finding


def test_every_rule_module_is_registered_once_and_keeps_the_contract() -> None:
    modules = [m.name for m in pkgutil.iter_modules(rules.__path__) if not m.name.startswith("_")]
    registered = [r.code for r in rules.ALL_RULES]
    assert len(registered) == len(set(registered))
    for name in modules:
        rule = importlib.import_module(f"backsafe.faults.rules.{name}").RULE
        assert isinstance(rule, FaultRule)
        assert rule.code == name  # one module per code, named after it
        assert rule in rules.ALL_RULES, f"faults/rules/{name}.py is not in ALL_RULES"
        assert rule.needs.strip()
    assert sorted(registered) == sorted(modules)


# --- the docs' example: a new rule is one module (here inline) and one registry line (here rules_run=...) -------
CODE = "trunk_twist_demo"


def _check(ctx: FaultContext) -> list[Finding]:
    series = ctx.kin["trunk_inclination_deg"]
    measures = measure_reps(ctx.reps, series, "max")
    return flag_reps(ctx, CODE, measures, series, absolute=30.0, relative_floor=None, unit="deg",
                     cue="Keep your chest facing forward.", signal="trunk_inclination_deg", step=10.0)


DEMO = Rule(code=CODE, needs="a side view or 3D keypoints", run=_check, visible=sagittal,
            exercises=lambda ex: ex.pattern == "squat")


def test_a_new_rule_runs_from_its_registry_line_alone() -> None:
    reps, n = make_reps(3)
    ex = get_exercise("squat")
    kin = make_kin(n, series={"trunk_inclination_deg": bumps(reps, 45.0, n)})
    out = check_faults(kin, reps, ex, tempo=ex.default_tempo, rules_run=rules.ALL_RULES + (DEMO,))
    demo = [f for f in out.findings if f.code == CODE]
    assert [f.rep for f in demo] == [1, 2, 3] and all(f.value > 30.0 for f in demo)
    # without its line the rule does not run; with it, the view test is the registry's as for any rule
    assert not [f for f in check_faults(kin, reps, ex, tempo=ex.default_tempo).findings if f.code == CODE]
    front = make_kin(n, view="front", series={"trunk_inclination_deg": bumps(reps, 45.0, n)})
    out = check_faults(front, reps, ex, tempo=ex.default_tempo, rules_run=rules.ALL_RULES + (DEMO,))
    assert CODE in [c for c, _ in out.not_checked] and not [f for f in out.findings if f.code == CODE]
    # its exercises predicate: a push-up is not judged by it
    push = get_exercise("push_up")
    out = check_faults(kin, reps, push, tempo=push.default_tempo, rules_run=rules.ALL_RULES + (DEMO,))
    assert not [f for f in out.findings if f.code == CODE] and CODE not in [c for c, _ in out.not_checked]
    assert np.isfinite([f.threshold for f in demo]).all()
