"""The coach's rules in the section "Triage and safety" of docs/coach.md (COACHING_RULES.md §1).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN_RULE

TRIAGE_RULES: tuple[Rule, ...] = (
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
        OWN_RULE, "heuristic", True, group="triage",
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
        OWN_RULE, "heuristic", True, group="triage",
    ),
    Rule(
        "triage-gate", "Today's safety result applies to everything",
        "Every plan, log entry and web page is checked against that day's result. On a rest day (the first 96 "
        "hours after a sudden strain), a see-a-clinician day or an emergency day, no loaded or impact work is "
        "prescribed, and loaded or impact work logged on such a day raises a note that you see first, above "
        "everything else.",
        OWN_RULE, "heuristic", True, group="triage",
    ),
    Rule(
        "acute-window", "The first 96 hours after a sudden strain",
        "For up to 96 hours (4 days) after a sudden strain there is no loaded or impact work. Walking and gentle "
        "mobility are encouraged, as far as they are comfortable. Never bed rest. The window ends by itself; the "
        "plans after it follow the usual rules.",
        f"{OWN_RULE}; Cochrane review, Dahm 2010: staying active is slightly better than bed rest", "heuristic", True,
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
        f"{OWN_RULE}, following NICE NG59 safety-netting", "heuristic", True, group="triage",
        caveat="The 7/10, 3-point and below-5 thresholds are ours; telling people what to watch for and when to "
        "come back is the guideline's safety-netting advice.",
    ),
)
