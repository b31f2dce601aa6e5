"""The coach's rule registry (backsafe.coach.rules) and docs/coach.md generated from it (COACHING_RULES.md §1-§9).

Every rule id the product puts in its JSON must resolve to a rule with a plain-words text, a source and an
evidence grade, in the package (``plan --explain``) and in docs/coach.md (an anchor per id).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

from backsafe.coach.rules import GRADES, GROUPS, RULES, Rule, explain, rule, rules_in_group, to_markdown
from backsafe.coach.wording import check_wording

from tests.load_by_path import load_module

REPO = Path(__file__).resolve().parents[3]

# The ids the shared spec of issue [1/6] names; prescriptions, flags and triage results use them.
SPEC_IDS = (
    "triage-emergency", "triage-urgent", "triage-soon", "triage-not-checked", "triage-clearance", "triage-gate",
    "acute-window", "stay-active", "severe-pain", "pain-monitoring", "pain-during-set", "drop-below-trigger",
    "next-morning", "reactive-deload", "planned-deload", "deload-from-working-load", "effort-rir",
    "progression-order", "progression-cap", "ladder", "ladder-binds", "high-impact-recovering", "break-return",
    "equipment-steps", "units", "plausibility", "soft-flag-pain", "soft-flag-fear", "soft-flag-sleep",
    "outcome-measures", "warmup-ramp", "foam-rolling", "band-activation", "breathing", "sleep-duration", "bedtime",
    "wind-down", "warm-bath", "acupressure", "no-warmup", "load-jump", "tempo-default", "never-diagnose",
)


def _tool() -> ModuleType:
    return load_module("gen_coach_docs", REPO / "tools" / "gen_coach_docs.py")


def test_docs_coach_md_is_up_to_date() -> None:
    diff = _tool().check(REPO / "docs" / "coach.md")
    assert not diff, "docs/coach.md is out of date; run tools/gen_coach_docs.py\n" + "".join(diff[:40])


def test_check_reports_a_stale_file_and_keeps_the_hand_written_part(tmp_path: Path) -> None:
    tool = _tool()
    doc = tmp_path / "coach.md"
    doc.write_text("# old\n" + tool.HAND_WRITTEN_MARKER + "\n## Commands\nkept\n", encoding="utf-8")
    assert tool.check(doc)
    assert tool.main(["--check", "--out", str(doc)]) == 1
    assert tool.main(["--out", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith(to_markdown()) and text.endswith("## Commands\nkept\n")
    assert tool.check(doc) == [] and tool.main(["--check", "--out", str(doc)]) == 0


@pytest.mark.parametrize("rule_id", SPEC_IDS)
def test_every_id_the_spec_names_exists(rule_id: str) -> None:
    assert rule(rule_id).id == rule_id


@pytest.mark.parametrize("r", list(RULES.values()), ids=list(RULES))
def test_every_rule_is_plain_sourced_and_graded(r: Rule) -> None:
    for part in (r.title, r.text, r.source, r.caveat, r.evidence):
        assert check_wording(part) == [], (r.id, part)
        assert "§" not in part and "[H]" not in part, (r.id, part)
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", part), f"{r.id}: a code-like word in {part!r}"
    assert r.source.strip() and r.grade in GRADES and r.group in GROUPS
    assert r.heuristic or r.grade != "heuristic"
    assert r in rules_in_group(r.group)


def test_the_numbers_a_physio_checks_are_in_the_text() -> None:
    assert "0-2/10" in rule("pain-monitoring").text and "Above 5/10: too much" in rule("pain-monitoring").text
    assert "85 %" in rule("drop-below-trigger").text and "2 pain-free sessions" in rule("drop-below-trigger").text
    text = rule("break-return").text
    assert "90 %" in text and "80 % and one set fewer" in text and "one rung down" in text
    assert "7/10" in rule("severe-pain").text and "below 5/10" in rule("severe-pain").text
    assert "last working load" in rule("deload-from-working-load").text
    # The article's "rest 3-4 days" is named as having no guideline behind it.
    assert "no guideline" in rule("acute-window").caveat


def test_unknown_id_raises_key_error_listing_the_known_ids() -> None:
    with pytest.raises(KeyError, match="unknown rule id 'no-such-rule'.*severe-pain"):
        rule("no-such-rule")
    with pytest.raises(KeyError, match="no-such-rule"):
        explain(["severe-pain", "no-such-rule"])


def test_explain_gives_title_text_source_and_grade_per_rule() -> None:
    out = explain(["severe-pain", "pain-monitoring", "severe-pain"])
    blocks = out.split("\n\n")
    assert len(blocks) == 2  # a repeated id is explained once, order kept
    severe, monitoring = blocks
    assert severe.splitlines()[0] == "Severe pain: no loaded training until it settles"
    assert "7/10" in severe and "Source: backsafe's own rule, following NICE NG59 safety-netting." in severe
    assert "Evidence: heuristic (backsafe's own rule of thumb" in severe
    flat = " ".join(monitoring.split())
    assert monitoring.splitlines()[0] == "How much pain is acceptable"
    assert "Pain 0-2/10: no change needed." in flat
    assert "Source: Silbernagel 2007, Achilles RCT; extrapolated to backs." in flat
    assert "Evidence: weak (" in flat and "extrapolation" in flat
    assert check_wording(out) == [] and "§" not in out


def test_docs_have_an_anchor_per_rule_and_the_disclaimer() -> None:
    md = to_markdown()
    from backsafe.coach.wording import DISCLAIMER

    assert DISCLAIMER in md
    for rid in RULES:
        assert md.count(f'<a id="{rid}"></a>') == 1
        assert f"](#{rid})" in md
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings[-len(GROUPS):] == list(GROUPS.values())
    assert "§" not in md and check_wording(md) == []
