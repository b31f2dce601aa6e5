"""The contract every fault rule keeps (:class:`FaultRule`), and :class:`Rule`, the one way rule modules declare it.

A rule module (``faults/rules/<code>.py``) measures one fault code and ends with ``RULE = Rule(...)``; the
registry (``faults/rules/__init__.py`` ``ALL_RULES``) lists the rules in the order they run. The runner
(``faults/registry.py`` :func:`check_faults`) asks each rule, through this contract only:

- ``code`` / ``needs``: the fault code (DESIGN.md's list) and, in plain words, the view it needs;
- ``applies(ex)``: whether it judges this exercise (default: the code is in the exercise's ``faults`` list,
  data/exercises.json);
- ``can_see(kin, ex)``: whether this clip's view shows the fault (COACHING_RULES §5 "View" column); when it does
  not, the report says the code was not checked instead of guessing;
- ``check(ctx)``: the findings by the rule's own thresholds (COACHING_RULES §5);
- ``beside_reference(ctx)``: with a personal reference (faults/reference.py) the movement-pattern codes are judged
  against the person's own reps; what the rule measures that the reference has no value for still counts here;
- ``note(ctx, found)``: advice that is not a fault (e.g. §7's tempo note), or None.

See docs/architecture.md "Adding a fault rule".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from ..exercises import Exercise
    from ..model import Finding, Kinematics
    from .base import FaultContext


@runtime_checkable
class FaultRule(Protocol):
    """What the runner needs of a fault rule (see the module docstring)."""

    @property
    def code(self) -> str: ...

    @property
    def needs(self) -> str: ...

    def applies(self, ex: Exercise) -> bool: ...

    def can_see(self, kin: Kinematics, ex: Exercise) -> bool: ...

    def check(self, ctx: FaultContext) -> list[Finding]: ...

    def beside_reference(self, ctx: FaultContext) -> list[Finding]: ...

    def note(self, ctx: FaultContext, found: list[Finding]) -> str | None: ...


def _nothing(ctx: FaultContext) -> list[Finding]:
    return []


@dataclass(frozen=True, slots=True)
class Rule:
    """A :class:`FaultRule` built from a rule module's functions.

    ``visible(kin)`` is the view test; ``visible_for(kin, ex)`` replaces it where the exercise matters too (e.g. a
    load's distance needs a side view only in hinges). ``exercises``: a predicate on the exercise, for a rule that
    is not listed per exercise in data/exercises.json."""

    code: str
    needs: str
    run: Callable[[FaultContext], list[Finding]]
    visible: Callable[[Kinematics], bool]
    visible_for: Callable[[Kinematics, Exercise], bool] | None = None
    with_reference: Callable[[FaultContext], list[Finding]] = _nothing
    advice: Callable[[FaultContext, list[Finding]], str | None] | None = None
    exercises: Callable[[Exercise], bool] | None = None

    def applies(self, ex: Exercise) -> bool:
        return self.exercises(ex) if self.exercises is not None else self.code in ex.faults

    def can_see(self, kin: Kinematics, ex: Exercise) -> bool:
        return self.visible_for(kin, ex) if self.visible_for is not None else self.visible(kin)

    def check(self, ctx: FaultContext) -> list[Finding]:
        return self.run(ctx)

    def beside_reference(self, ctx: FaultContext) -> list[Finding]:
        return self.with_reference(ctx)

    def note(self, ctx: FaultContext, found: list[Finding]) -> str | None:
        return self.advice(ctx, found) if self.advice is not None else None
