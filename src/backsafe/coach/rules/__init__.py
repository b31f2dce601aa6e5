"""The coach's rules in plain words, with their source and evidence grade (COACHING_RULES.md §1-§9).

Every prescription, flag and triage result carries ``rule`` ids (e.g. ``"severe-pain"``) in its JSON; this registry
maps each id to a :class:`Rule`: a title, the rule stated in the project's own words for a person or a
physiotherapist, the source as COACHING_RULES gives it, and an evidence grade with honest caveats.
``backsafe plan --explain`` prints :func:`explain` of the ids it used; ``tools/gen_coach_docs.py`` writes
``docs/coach.md`` from :func:`to_markdown`, one section per rule with an anchor equal to its id. The registry ships
in the package, so every id resolves without the repository's docs folder.

Grades (COACHING_RULES.md preamble): strong = guideline or meta-analysis; moderate = randomised trials, validated
measurement; weak = small studies, consensus, extrapolation; heuristic = backsafe's own rule [H], configurable and
to be tuned on data. ``Rule.heuristic`` is true when the rule's numbers are ours even if its basis is graded higher.

Every text here passes :func:`backsafe.coach.wording.check_wording` (§1 "Never", §9) and carries no "§", rule
letters or flag codes: people read it.

The registry is a package: :mod:`.model` (what a rule is: ``Rule``, grades, docs sections), one module per docs
section holding its rules (``triage``, ``pain``, ``progression``, ``ladder``, ``breaks``, ``units``,
``soft_flags``, ``outcomes``, ``warmup``, ``recovery``, ``wording``), :mod:`.registry` (``RULES`` by id, in docs
order) and :mod:`.render` (``explain``, ``to_markdown``). Every name below is importable from here.
"""

from __future__ import annotations

from .model import GRADE_MEANING, GRADES, GROUPS, Grade, Group, Rule
from .registry import RULES, rule, rules_in_group
from .render import explain, to_markdown

__all__ = [
    "Grade",
    "GRADES",
    "GRADE_MEANING",
    "Group",
    "GROUPS",
    "Rule",
    "RULES",
    "rule",
    "explain",
    "rules_in_group",
    "to_markdown",
]
