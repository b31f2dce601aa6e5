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
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from .wording import DISCLAIMER

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

Grade = Literal["strong", "moderate", "weak", "heuristic"]
GRADES: tuple[Grade, ...] = ("strong", "moderate", "weak", "heuristic")
GRADE_MEANING: Mapping[Grade, str] = MappingProxyType({
    "strong": "clinical guidelines or meta-analyses",
    "moderate": "randomised trials or validated measurements",
    "weak": "small studies, expert consensus, or results carried over from another condition",
    "heuristic": "backsafe's own rule of thumb, a reasoned choice that is adjustable and to be checked against data",
})

Group = Literal["triage", "pain", "progression", "ladder", "breaks", "units", "soft-flags", "outcomes", "warmup",
                "recovery", "wording"]
# Section headings of docs/coach.md, in order.
GROUPS: Mapping[Group, str] = MappingProxyType({
    "triage": "Triage and safety",
    "pain": "Pain monitoring",
    "progression": "Load progression",
    "ladder": "The ladder",
    "breaks": "Breaks and deloads",
    "units": "Units and equipment",
    "soft-flags": "Soft flags",
    "outcomes": "Outcome measures",
    "warmup": "Warm-up",
    "recovery": "Recovery",
    "wording": "Wording",
})

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Rule:
    """One coaching rule.

    ``text`` states the rule plainly, with its numbers; ``source`` is the citation as COACHING_RULES gives it;
    ``grade`` the strength of the evidence behind the rule; ``heuristic`` true when its numbers or details are
    backsafe's own; ``caveat`` says honestly where the evidence is thin; ``group`` is its section in docs/coach.md.
    """

    id: str
    title: str
    text: str
    source: str
    grade: Grade
    heuristic: bool
    group: Group = field(kw_only=True)
    caveat: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"rule id {self.id!r}: expected lowercase words joined by '-', e.g. 'severe-pain'")
        if self.grade not in GRADES:
            raise ValueError(f"rule {self.id}: grade {self.grade!r}, expected one of {GRADES}")
        if self.grade == "heuristic" and not self.heuristic:
            raise ValueError(f"rule {self.id}: grade 'heuristic' needs heuristic=True")
        if self.group not in GROUPS:
            raise ValueError(f"rule {self.id}: group {self.group!r}, expected one of {tuple(GROUPS)}")
        for name in ("title", "text", "source"):
            if not getattr(self, name).strip():
                raise ValueError(f"rule {self.id}: empty {name}")

    @property
    def evidence(self) -> str:
        """The grade in plain words, with the caveat: "weak (small studies, ...); the details are
        backsafe's own choice. Tested in Achilles tendon pain, not backs."."""
        out = f"{self.grade} ({GRADE_MEANING[self.grade]})"
        if self.heuristic and self.grade != "heuristic":
            out += "; the details are backsafe's own choice"
        return f"{out}. {self.caveat}" if self.caveat else f"{out}."


_H = "backsafe's own rule"
_OURS = "backsafe's own"

_RULES: tuple[Rule, ...] = (
    # ---- Triage and safety (§1) ----
    Rule(
        "triage-emergency", "Emergency signs: stop and seek emergency care now",
        "If any of these is true today, the coach stops and says to seek emergency care now (call your local "
        "emergency number or go to an emergency department): a new change in bladder or bowel control (cannot pass "
        "urine, leaking, or not feeling it); numbness around the genitals, buttocks or inner thighs (the saddle "
        "area); weakness or numbness in both legs, or leg weakness that is getting worse; a new loss of sexual "
        "function; chest pain or pressure; fainting or nearly fainting; severe breathlessness. No clearance turns an "
        "emergency sign off: it is asked again at every check and comes first in everything the coach shows.",
        "BASS 2018 (British Association of Spine Surgeons, cauda equina standards); AHCPR 1994 acute low back "
        "problems guideline", "strong", False, group="triage",
        caveat="The sources cover the bladder, bowel, saddle, leg and sexual-function signs; chest pain, fainting "
        "and severe breathlessness are on the list as general screening before exercise.",
    ),
    Rule(
        "triage-urgent", "See a doctor today (urgent)",
        "Some answers need a medical check the same day; the coach says so first, names the reason in plain words, "
        "and prescribes no training that day. Possible infection: a fever or feeling unwell together with back "
        "pain, more so if you inject drugs or take medicine that lowers your immunity. Possible broken bone: back "
        "pain after a fall, crash or other big impact, or after a small fall or strain if you have osteoporosis or "
        "take long-term steroid tablets. A history of cancer together with new back pain and constant night pain, "
        "weight loss you cannot explain, or a nerve symptom (numbness or weakness in a leg). Numbness or weakness "
        "in a leg that is getting worse. The coach refers; it does not say what the cause is.",
        "NICE CKS low back pain; NICE NG234 metastatic spinal cord compression", "strong", True, group="triage",
        caveat="Strong for the categories; the split between 'today' and 'within 1-2 weeks' is our reading of "
        "the guidelines.",
    ),
    Rule(
        "triage-soon", "See a clinician within 1-2 weeks (soon)",
        "Any one of these on its own, when it is not part of an urgent combination, means: no loaded training, "
        "walking only, and an appointment with a GP or physiotherapist within 1-2 weeks. Back pain that is new "
        "and started after age 50 or before age 20; a past cancer; weight loss you cannot explain; injecting drugs "
        "or taking medicine that lowers your immunity; long-term steroid tablets or osteoporosis; pain that is "
        "constant at night, even lying still; pain below the knee together with numbness or weakness in that leg; "
        "no improvement at all over 4-6 weeks. These questions catch many people who turn out to be fine: a yes "
        "means 'get it checked', not that something serious has been found.",
        "NICE NG59 2016/2020 low back pain and sciatica; NICE CKS low back pain", "strong", False, group="triage",
        caveat="Red-flag questions have many false positives, so the coach refers and never names a cause.",
    ),
    Rule(
        "triage-not-checked", "Not checked yet",
        "Until you have answered the safety questions, your state is 'not checked yet': the coach says so and asks "
        "the questions first. It never tells someone who has not been asked that there are no warning signs.",
        _H, "heuristic", True, group="triage",
    ),
    Rule(
        "triage-proceed", "No warning signs today",
        "When you have answered today's questions and none of the emergency, urgent or clinician signs applies, "
        "and you are past the first 96 hours after a strain, the plan goes ahead as usual, low-impact work first. "
        "Other answers still change the session (pain above 5/10 today, worry about moving, a poor night's sleep): "
        "see the soft flags.",
        "NICE NG59 2016/2020; ACP 2017 (exercise as first-line care)", "strong", False, group="triage",
    ),
    Rule(
        "triage-clearance", "A clinician's clearance",
        "When you tell the coach that a clinician has checked you and cleared you to train, it stores that once, "
        "with its date and the exact warning signs it covers. Those signs stop blocking your plan while they stay "
        "as they were. A sign the clearance did not cover, or one that went away and came back after it, blocks "
        "the plan again until it is checked. No clearance covers an emergency sign. The text after a clearance "
        "says what was cleared and by when; it does not claim there were no warning signs. The coach never overrides what your clinician "
        "told you.",
        _H, "heuristic", True, group="triage",
    ),
    Rule(
        "triage-gate", "Today's safety result applies to everything",
        "Every plan, log entry and web page is checked against that day's result. On a rest day (the first 96 "
        "hours after a sudden strain), a see-a-clinician day or an emergency day, no loaded or impact work is "
        "prescribed, and loaded or impact work logged on such a day raises a note that you see first, above "
        "everything else.",
        _H, "heuristic", True, group="triage",
    ),
    Rule(
        "acute-window", "The first 96 hours after a sudden strain",
        "For up to 96 hours (4 days) after a sudden strain there is no loaded or impact work. Walking and gentle "
        "mobility are encouraged, as far as they are comfortable. Never bed rest. The window ends by itself; the "
        "plans after it follow the usual rules.",
        f"{_H}; Cochrane review, Dahm 2010: staying active is slightly better than bed rest", "heuristic", True,
        group="triage",
        caveat="The source article's 'rest 3-4 days after an acute injury' has no guideline behind that number. "
        "In the Cochrane review, staying active beat bed rest by a small margin (pain SMD 0.22, function 0.29). "
        "Keeping load off for 96 hours while staying on your feet is our cautious compromise.",
    ),
    Rule(
        "stay-active", "Stay active; exercise is first-line care",
        "Back pain is called acute in its first 4 weeks, subacute from 4 to 12 weeks and chronic after 12 weeks. "
        "At every stage the advice is to stay active and keep up normal daily activity as far as you can; for "
        "chronic back pain, exercise is a first-line treatment. The coach never prescribes bed rest.",
        "ACP 2017 guideline; NICE NG59 2016/2020", "strong", False, group="triage",
    ),
    Rule(
        "severe-pain", "Severe pain: no loaded training until it settles",
        "Pain of 7/10 or more during or after a session, or a morning score of 7/10 or more or at least 3 points "
        "above your usual, means no loaded session until the pain has settled below 5/10; walking and gentle "
        "movement as comfortable. Seek care if it is not settling within a few days or if it spreads below the "
        "knee, and seek emergency care at once if it comes with any emergency sign (a bladder or bowel change, "
        "saddle numbness, weakness in both legs). The coach never answers severe pain with 'no flags' or with a "
        "plan that goes on as usual.",
        f"{_H}, following NICE NG59 safety-netting", "heuristic", True, group="triage",
        caveat="The 7/10, 3-point and below-5 thresholds are ours; telling people what to watch for and when to "
        "come back is the guideline's safety-netting advice.",
    ),
    # ---- Pain monitoring (§4) ----
    Rule(
        "pain-monitoring", "How much pain is acceptable",
        "You rate pain from 0 (none) to 10 (the worst imaginable) before, during and after a session and the next "
        "morning. Pain 0-2/10: no change needed. 3-5/10: acceptable, if it has settled by the next morning. Above "
        "5/10: too much, and the load or the exercise changes. Exercising with tolerable pain does no worse than "
        "keeping exercise pain-free. A change of 2 points or 30 % is the smallest that matters to people.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs. Smith 2017 meta-analysis (tolerable vs pain-free "
        "exercise, SMD −0.27 short term). Ostelo 2008 (meaningful change)", "weak", False, group="pain",
        caveat="The pain-monitoring model was tested in Achilles tendon pain; using it for backs is an "
        "extrapolation. The finding that tolerable pain is not worse is moderate (meta-analysis, short term); the "
        "2-point or 30 % change is strong.",
    ),
    Rule(
        "pain-during-set", "Pain during a set",
        "Stop the set if pain goes above 5/10, or rises 2 or more points above your score before the session "
        "(only when it is above 2/10: a rise within 0-2/10 needs no change). The next set is about 15 % lighter, "
        "or an easier version of the exercise. Pain of 0-2/10 during a set changes nothing: no load cut, no cap. "
        "Pain of 3-5/10 is acceptable if it has settled by the next morning.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs", "weak", True, group="pain",
        caveat="Tested in Achilles tendon pain, not backs. The 15 % figure is ours.",
    ),
    Rule(
        "drop-below-trigger", "Drop below the load that brought on pain",
        "When a load brings on pain above 5/10 (or 2 or more points above your starting score, once above 2/10), "
        "the next session uses the largest load you have that is at most 85 % of it; the source article's own "
        "example is 30 lb → 25 lb, −17 %. A bodyweight exercise moves to an easier version instead. That load is "
        "held for 2 pain-free sessions, then goes up again in steps of at most 5 %. The plan states the real "
        "change, for example '12 → 10 kg, −17 %'.",
        f"{_H}, from the source article's example (30 → 25 lb)", "heuristic", True, group="pain",
    ),
    Rule(
        "next-morning", "The next-morning check",
        "The morning after a session, rate your pain. Back at your usual level: carry on as planned. 2 or more "
        "points above your usual: repeat the same session next time instead of progressing, or go about 10 % "
        "lighter. A morning of 7/10 or more, or 3 or more points above your usual, counts as severe pain.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs", "weak", False, group="pain",
        caveat="Tested in Achilles tendon pain, not backs.",
    ),
    # ---- Load progression (§4, §7) ----
    Rule(
        "progression-order", "How an exercise progresses",
        "Reps first, then sets, then load: 8 → 12 reps, then 2 → 3 sets, then the next load step. A load step "
        "comes after 2 sessions running in which you managed 2 or more reps beyond the target on the last set "
        "(the '2-for-2' rule). Beginners work in the 8-12 rep range, 2-3 days a week.",
        "NSCA (Baechle & Earle), 2-for-2 rule; ACSM 2009 position stand on progression", "weak", False,
        group="progression",
        caveat="Guidance from professional bodies for healthy adults; using it for people with back pain is an "
        "extrapolation.",
    ),
    Rule(
        "progression-cap", "Go up by at most 5 % or one step",
        "A load goes up by at most 5 %, or by the smallest step your equipment allows when that is more (1 kg or "
        "2.5 lb on dumbbells, 2.5 kg or 5 lb on a barbell, the next kettlebell you have). ACSM suggests +2-10 % "
        "once you can do 1-2 reps over the target; backsafe stays at the low end.",
        f"ACSM 2009 (+2-10 %); the cap is {_OURS}", "heuristic", True, group="progression",
    ),
    Rule(
        "load-jump", "A logged load that jumps too far",
        "If you log a load more than 5 % (or more than one step) above your last session of the same exercise, the "
        "coach points it out and suggests adding at most 5 % or one step at a time. Adding load too fast is one of "
        "the mistakes the source article warns about.",
        f"ACSM 2009 (+2-10 %); the cap is {_OURS}", "heuristic", True, group="progression",
    ),
    Rule(
        "effort-rir", "Effort: reps in reserve",
        "Reps in reserve (RIR) are how many more reps you could have done with good form; on the RPE scale, 10 "
        "means none left (failure) and 8 means 2 left. The target is 2-3 in reserve (RPE 7-8). The next load "
        "follows what you report: 2 or more reps easier than the target → +5 %; 1 easier → +2.5 %; on target → "
        "the same; 1 harder → 2.5-5 % lighter; failure or a form problem → 10 % lighter. Reports of more than 5 "
        "reps in reserve (RPE below 5) are ignored: people misjudge those by more than 2 reps.",
        "Zourdos 2016 (RIR-based RPE scale); Hackett 2017 (accuracy of RIR estimates)", "moderate", True,
        group="progression",
        caveat="The scale and its accuracy are measured; the percentages are ours.",
    ),
    Rule(
        "tempo-default", "Default tempo",
        "Tempo is written as seconds down - pause at the bottom - up - pause at the top. Unless you set your own, "
        "strength exercises use 3-1-2-0: 3 seconds down, 1 second pause, 2 seconds up, no pause at the top. "
        "Moderate speed is 1-2 seconds per phase; 'controlled' means 2-4 seconds down and 1-3 up. Walking, timed "
        "holds and swings have no tempo.",
        f"ACSM 2009 (moderate = 1-2 s per phase); the 3-1-2-0 default is {_OURS}", "heuristic", True,
        group="progression",
    ),
    # ---- The ladder (§2, §4) ----
    Rule(
        "ladder", "The ladder",
        "Exercises climb a ladder of rungs: on the floor or held still (isometric) → bodyweight → a light load "
        "held close to the body → barbell → fast swinging (ballistic) work such as kettlebell swings → jumps. You "
        "move up one rung after 2 sessions of 3 sets of 10-12 reps with at least 2 reps in reserve, pain of 3/10 "
        "or less, no morning flare-up and no form problem that keeps coming back. Jumps come only after at least "
        "4 pain-free weeks.",
        _H, "heuristic", True, group="ladder",
    ),
    Rule(
        "ladder-binds", "The ladder limits every plan",
        "While you are recovering (within 96 hours of a strain, with a pain flag in the last 2 weeks, or with "
        "fewer than 4 pain-free weeks logged), a plan never goes more than one rung above what you have mastered "
        "and never includes swinging or jumping work. Someone with no history starts at the bottom rung. You may "
        "still log a higher rung; the coach notes it.",
        _H, "heuristic", True, group="ladder",
    ),
    Rule(
        "high-impact-recovering", "No jumping while recovering",
        "Exercises with a moment in the air (jump squats, jump lunges, burpees with a jump) load the body more "
        "than walking: running peaks at about 2.5 times body weight, walking at about 1.2, jumps higher still. "
        "While you are recovering, the plan swaps them for a low-impact version (a bodyweight squat, a reverse "
        "lunge, a step-back burpee), and high-impact work you log is noted.",
        f"Keller 1996 (ground reaction forces in walking and running); the rule is {_OURS}", "heuristic", True,
        group="ladder",
    ),
    # ---- Breaks and deloads (§4) ----
    Rule(
        "reactive-deload", "A lighter week when pain builds up",
        "If your weekly average pain rises by 2 points or more, or you have 2 flare-ups within 7 days, the next "
        "sessions are a deload: 30-50 % fewer sets and reps and about 2 more reps left in reserve, worked out from "
        "your last working load.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs; deload dose backsafe's own", "weak", True,
        group="breaks",
        caveat="The trigger comes from a tendon pain model; the deload dose is ours.",
    ),
    Rule(
        "planned-deload", "A planned lighter week every 4-6 weeks",
        "After 4-6 weeks of building (backsafe: 5 weeks, then the 6th is lighter), a deload week: 30-50 % fewer "
        "sets and reps and about 2 more reps left in reserve, from your last working load. Lifters report taking "
        "one every 5.8 weeks on average (give or take 3.4), lasting about 6 days.",
        "Bell 2023, survey of lifters", "weak", True, group="breaks",
        caveat="A survey of what lifters do, not a trial of what works best; the dose is ours.",
    ),
    Rule(
        "deload-from-working-load", "Deloads never stack",
        "A deload is always worked out from your last working load before it, never from another deload session, "
        "so lighter sessions do not pile up (15 kg → 13 → 11 → 9 kg is the mistake this avoids). The plan shows "
        "the real change, for example '12 → 10 kg, −17 %', never a rounded label.",
        _H, "heuristic", True, group="breaks",
    ),
    Rule(
        "break-return", "Coming back after a break",
        "Strength is largely kept for about 3 weeks off. Back after less than 2 weeks: carry on from your last "
        "session. After 2 to 3 weeks: 90 % of your last load. After 3 to 6 weeks: 80 % and one set fewer. After more than 6 weeks, or after a break because of pain: one rung "
        "down the ladder. Someone with a history is never treated as a first-timer.",
        f"Mujika & Padilla 2000; McMaster 2013 (strength kept for about 3 weeks); the percentages are {_OURS}",
        "heuristic", True, group="breaks",
    ),
    # ---- Units and equipment (§4) ----
    Rule(
        "units", "Kilograms or pounds",
        "Each person chooses kg or lb. A load can be typed either way (30lb, 13.6kg, or a plain number in your own "
        "unit); it is stored in kg and always shown in your unit, on your unit's real steps, so the source "
        "article's 30 lb → 25 lb stays in pounds.",
        _H, "heuristic", True, group="units", caveat="A matter of convenience, not of evidence.",
    ),
    Rule(
        "equipment-steps", "Loads in the steps you own",
        "Loads come in the steps real equipment has: dumbbells in 1 kg (2.5 lb) steps up to 10 kg (25 lb), then "
        "2 kg (5 lb); kettlebells in 4 kg steps (8, 12, 16, 20, 24 kg), or 2 kg steps if you say you have those "
        "bells; a barbell in 2.5 kg (5 lb) steps. You can list your own equipment, and then only loads you own "
        "are prescribed.",
        _H, "heuristic", True, group="units",
    ),
    Rule(
        "plausibility", "Loads that cannot be right are refused",
        "A load far above what the exercise allows (for example a 400 kg goblet squat) is refused, with the "
        "reason; it is usually a typo or pounds typed as kilograms. The limits are about the heaviest equipment "
        "in general use, per hand for dumbbells.",
        _H, "heuristic", True, group="units",
    ),
    # ---- Soft flags (§4) ----
    Rule(
        "soft-flag-pain", "Pain above 5/10 today",
        "If your pain is above 5/10 today (but below the severe-pain level), the session still goes ahead, "
        "lighter: the easier version of each exercise and 30-50 % fewer sets and reps. If nothing needs to change, "
        "the plan says why.",
        _H, "heuristic", True, group="soft-flags",
    ),
    Rule(
        "soft-flag-fear", "Worried about moving",
        "If you are worried that moving will make your back worse, the plan uses graded exposure: the same "
        "movement over a smaller range, with more reps, so it becomes familiar again. It adds one line of "
        "explanation: hurt does not always mean harm.",
        f"Moseley & Butler (pain education, 'hurt does not mean harm'); the dosing is {_OURS}", "heuristic", True,
        group="soft-flags",
    ),
    Rule(
        "soft-flag-sleep", "A poor night's sleep",
        "After a poor night (less than 6 hours), effort is capped at RPE 7 (at least 3 reps in reserve) and the "
        "recovery advice comes first in the plan.",
        _H, "heuristic", True, group="soft-flags",
    ),
    # ---- Outcome measures (§4) ----
    Rule(
        "outcome-measures", "Weekly outcome measures",
        "Once a week you rate your usual pain from 0 to 10 and, on the Patient-Specific Functional Scale (PSFS), "
        "how well you can do a few activities that matter to you (0 = unable, 10 = as before the problem). A "
        "change counts as meaningful when pain moves by 2 points or 30 %, or the PSFS by 2 points; the progress "
        "view says so when it happens.",
        "Ostelo 2008 (meaningful change in pain); Stratford 1995 (PSFS, free to use)", "moderate", False,
        group="outcomes",
        caveat="Strong for the 2-point or 30 % pain change; the PSFS is a validated measure (moderate).",
    ),
    # ---- Warm-up (§3) ----
    Rule(
        "warmup-ramp", "Warm-up: 8-12 minutes",
        "Raise: about 5 minutes of walking or cycling at an easy effort (RPE 3-4). Activate and mobilise: about 5 "
        "minutes of breathing, foam rolling and band work for the hips. Potentiate: ramp-up sets at about 50 % and "
        "75 % of the day's working load.",
        "Jeffreys 2007 (RAMP warm-up); ramp-set percentages backsafe's own", "weak", True, group="warmup",
    ),
    Rule(
        "foam-rolling", "Foam rolling",
        "1-3 rounds of 30-120 seconds per muscle (hip flexors, front of the thighs, buttocks, upper back, calves), "
        "with discomfort no higher than 4/10, and never on the lower back itself. It improves range of movement "
        "about as much as stretching.",
        "Wilke 2020 meta-analysis (range of motion SMD 0.74 vs none, equal to stretching)", "moderate", True,
        group="warmup",
        caveat="Moderate for range of movement, weak for pain; the doses are ours.",
    ),
    Rule(
        "band-activation", "Band work for the hips",
        "1-2 sets of 10-15 per side, kept easy (at least 3 reps in reserve): side-lying leg raises and band walks "
        "for the side of the hip (glute medius), single-leg squats or deadlifts for the buttock (glute maximus), "
        "clamshells as the gentlest start. Chosen by how hard each works these muscles: side-lying leg raise about "
        "81 % of a maximal contraction, band walk 61 %, single-leg squat or deadlift 59 %, clamshell about 40 %.",
        "Distefano 2009 (muscle activity in healthy people)", "moderate", True, group="warmup",
        caveat="Measured in healthy people; the sets and reps are ours.",
    ),
    Rule(
        "breathing", "Belly breathing",
        "Lying on your back with knees bent, one hand on the chest and one on the belly: breathe in through the "
        "nose for about 4 seconds so the belly and lower ribs rise, and out for about 6 seconds. 5-10 breaths in "
        "the warm-up; 5-10 minutes a day at home.",
        "Meta-analysis of 13 RCTs (n = 677): pain SMD −0.84, low certainty", "weak", True, group="warmup",
        caveat="Weak to moderate: a sizeable effect on pain, but from small trials of low certainty; the timings "
        "are ours.",
    ),
    Rule(
        "warmup-fault-drills", "Drills for what your videos showed",
        "When recent videos showed a form problem, the warm-up adds a drill for it: knees falling inwards → "
        "side-lying leg raises and band walks; back rounding → hip hinge with a dowel along the back, 2 × 8; back "
        "arching or sagging → dead bug and a bridge with the pelvis tucked; shifting to one side or a tilting "
        "pelvis → side plank and standing on one leg, 3 × 20 seconds; rushing → a set to a metronome.",
        _H, "heuristic", True, group="warmup",
    ),
    Rule(
        "no-warmup", "Working sets without a warm-up",
        "Loaded working sets logged without a warm-up are noted, with a reminder to do the 8-12 minute warm-up "
        "from the plan first. Walking, mobility and activation work need no warm-up before them. Skipping the "
        "warm-up is one of the mistakes the source article warns about.",
        "Jeffreys 2007 (RAMP warm-up)", "weak", True, group="warmup",
    ),
    # ---- Recovery (§8) ----
    Rule(
        "sleep-duration", "Sleep duration",
        "Aim for at least 7 hours: 7-9 hours at ages 18-64, 7-8 hours from 65. The plan works back from your wake "
        "time: bedtime = wake time minus your sleep target minus about 15 minutes to fall asleep. Sleep check-ins "
        "change the recovery advice.",
        "AASM/SRS consensus (Watson 2015); National Sleep Foundation (Hirshkowitz 2015)", "strong", True,
        group="recovery",
        caveat="Strong as consensus statements; the 15 minutes to fall asleep is ours.",
    ),
    Rule(
        "bedtime", "A regular bedtime",
        "A regular bedtime, ideally around 22:00-23:00. In a large observational study (103,712 people), falling "
        "asleep between 22:00 and 22:59 went with the lowest risk of heart disease; the risk was about a quarter "
        "higher before 22:00 and after midnight.",
        "Nikbakhtian 2021 (n = 103,712, observational)", "weak", False, group="recovery",
        caveat="An association, not proof that the bedtime itself matters.",
    ),
    Rule(
        "wind-down", "Winding down",
        "In the last hour before bed, dim screens or use a night filter; it may help a little. Reading on a "
        "light-emitting screen in the evening delayed the sleep hormone melatonin in a lab study; trials of amber "
        "glasses gave mixed results.",
        "Chang 2015; Shechter 2020 meta-analysis (confidence interval crosses zero)", "weak", False,
        group="recovery",
    ),
    Rule(
        "warm-bath", "A warm bath",
        "A warm bath may ease stiffness. Epsom salt is not proven to add anything: magnesium has not been shown to "
        "pass through the skin in useful amounts.",
        "ACP 2017 (superficial heat for acute low back pain); Gröber 2017 (magnesium through the skin)",
        "moderate", False, group="recovery",
        caveat="Moderate for heat in acute back pain; no evidence for the salt.",
    ),
    Rule(
        "acupressure", "Acupressure mat (optional)",
        "Optional. Some people find an acupressure mat gives short-term relief; in one study about 1 in 10 "
        "stopped because it hurt.",
        "Frizziero 2021 (RCT, n = 44); a single-arm study (n = 91)", "weak", False, group="recovery",
        caveat="Small studies; relief was immediate and short-lived.",
    ),
    # ---- Wording (§1 "Never", §9) ----
    Rule(
        "never-diagnose", "Refer, never diagnose",
        "The coach never says what is causing your pain, never advises on medicines or scans, and never overrides "
        "a clinician. When an answer needs checking it refers: it says whom to see and how soon. It makes no "
        "promises that exercise will heal you or keep you from harm, and it uses no fear words. Every plan "
        "carries the disclaimer.",
        "NICE NG59 2016/2020 (refer, don't diagnose); backsafe wording policy", "strong", False, group="wording",
        caveat="A policy more than a finding: the coach cannot examine anyone.",
    ),
    Rule(
        "plain-words", "Plain words, the most urgent first",
        "What you read uses exercise names, not codes, and no section marks, rule letters or flag codes (those "
        "are in the JSON and behind the explain switch). Safety results come first and stand out in colour. At "
        "most 1 cue during a set and 3 after it, worded as a target ('keep the weight close to your legs', 'take "
        "3 seconds down') rather than a fault.",
        f"Wulf 2013 review (external focus of attention); cue limits {_OURS}", "moderate", True, group="wording",
    ),
)

RULES: Mapping[str, Rule] = MappingProxyType({r.id: r for r in _RULES})
if len(RULES) != len(_RULES):  # pragma: no cover - a duplicate id is a programming error
    raise RuntimeError("duplicate rule id in backsafe.coach.rules")


def rule(rule_id: str) -> Rule:
    """The rule with id ``rule_id``; KeyError naming the known ids when there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}; known ids: {', '.join(sorted(RULES))}") from None


def rules_in_group(group: Group) -> tuple[Rule, ...]:
    """The rules of one docs section, in registry order."""
    return tuple(r for r in _RULES if r.group == group)


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width=width, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False,
                         break_long_words=False)


def explain(ids: Iterable[str], width: int = 100) -> str:
    """A plain-text block for the rule ids given (duplicates once, order kept): per rule its title, the rule in
    plain words, the source and the evidence grade. KeyError for an unknown id."""
    blocks: list[str] = []
    for rid in dict.fromkeys(ids):
        r = rule(rid)
        blocks.append("\n".join((
            r.title,
            _wrap(r.text, width),
            _wrap(f"Source: {r.source}.", width),
            _wrap(f"Evidence: {r.evidence}", width),
        )))
    return "\n\n".join(blocks)


def to_markdown() -> str:
    """The rules reference of docs/coach.md: intro, disclaimer, grading, then one section per rule (anchor = id)."""
    lines = [
        "# The coach: its rules, sources and evidence",
        "",
        "<!-- Generated by tools/gen_coach_docs.py from src/backsafe/coach/rules.py: edit the registry, then run "
        "the tool. -->",
        "",
        "backsafe's coach turns your training log into the next session. It asks the safety questions first, then "
        "gives a warm-up, the main exercises with loads, sets, reps and tempo, and a recovery block. It follows "
        "your pain before, during and after each session and the next morning, and changes the plan when pain, "
        "effort, a break, your equipment or your answers call for it. Each rule below says what it does, in plain "
        "words, with its numbers, its source and how strong the evidence behind it is.",
        "",
        "What the coach does not do: it does not examine, diagnose or treat; it does not advise on medicines or "
        "scans; it never overrides your clinician. When an answer needs checking, it says whom to see and how "
        "soon, and stops loaded training.",
        "",
        f"> {DISCLAIMER}",
        "",
        "## How evidence is graded",
        "",
        *(f"- **{g}**: {GRADE_MEANING[g]}." for g in GRADES),
        "",
        "A rule whose evidence line adds \"the details are backsafe's own choice\" rests on graded evidence, but its "
        "exact numbers or grouping are ours. Caveats say where the evidence is thinner than the rule sounds.",
        "",
        "Every prescription, flag and triage result carries the ids of the rules behind it (`rule` / `rules` in "
        "the JSON), and `backsafe plan --explain` prints them from the same registry, which ships in the package. "
        "Each section below has an anchor equal to its id, e.g. `docs/coach.md#severe-pain`.",
        "",
        "## Contents",
        "",
    ]
    for group, heading in GROUPS.items():
        links = ", ".join(f"[{r.title}](#{r.id})" for r in rules_in_group(group))
        lines.append(f"- {heading}: {links}")
    for group, heading in GROUPS.items():
        lines += ["", f"## {heading}"]
        for r in rules_in_group(group):
            lines += [
                "",
                f'<a id="{r.id}"></a>',
                "",
                f"### {r.title}",
                "",
                r.text,
                "",
                f"*Source:* {r.source}. *Evidence:* {r.evidence} *Id:* `{r.id}`",
            ]
    return "\n".join(lines) + "\n"
