"""Load progression per exercise from the log (COACHING_RULES.md §4). Every prescription carries its reason in
plain words and the ids of the rules behind it (``rules``; explained in backsafe.coach.rules and docs/coach.md).

Order of the rules, first match wins:

0. The ladder binds (§4): an exercise more than one rung above the person's (or ballistic / high-impact work while
   recovering) is replaced by the highest allowed exercise down its chain; no history starts at the bottom.
1. No history of the exercise → bodyweight first (§4 ladder), else a light start (2 × 8); "new for you", never
   "first time", for someone with a log.
2. Back after a break (§4): 2-3 weeks off → 90 % of the last load; 3-6 weeks → 80 % and one set fewer; more than 6
   weeks, or a break that began with pain → one rung down.
3. Last session triggered pain (NRS >5, or ≥2 above the pre-session score and above 2) → next load = the largest
   available ≤ 0.85 × that load ("drop below the pain trigger", the article's 30 → 25 lb), or regress.
4. Fewer than 2 pain-free sessions since that trigger → hold the reduced load.
5. Reactive deload: weekly mean pain up ≥2 or 2 flare-ups in 7 days → volume −40 %, load −10 % of the last working
   load (never of a deload session: no compounding).
6. Next morning ≥2 above the usual pain → repeat the session (−10 % if the morning before was unsettled too).
7. Planned deload every 6th week [H] (4-6 wk, Bell 2023), from the last working load.
8. RPE/RIR (Zourdos 2016, target RIR 2-3): failure → −10 %; RIR 0-1 → −2.5-5 %; RPE < 5 ignored (Hackett 2017);
   never below the lightest load of the exercise (then fewer reps).
9. Progress: reps 8 → 12, then sets 2 → 3, then load by the next available step (cap +5 % or one step, 2-for-2 at
   the top of the range); bodyweight exercises climb the ladder after 2 sessions of 3 × 10-12 at RIR ≥ 2, NRS ≤ 3,
   settled mornings and no persistent fault.

Loads are kg inside and come from the person's equipment (coach/units.py); while a pain-triggering load is
remembered (4 weeks [H]) no prescription reaches it.

The package: :mod:`.prescription` (``Prescription``, the dose numbers, building one), :mod:`.filming` (what to film),
:mod:`.loads` (load arithmetic, the pain-triggering load), :mod:`.ladder` (rungs, what a plan may reach),
:mod:`.breaks` (deloads, back after a break) and :mod:`.prescribe` (the steps above, in order). Every name below is
importable from here.
"""

from .breaks import BREAK_LONG_DAYS, BREAK_MID_DAYS, BREAK_SHORT_DAYS, DELOAD_EVERY_WEEKS, deload_reason
from .filming import film_instructions
from .ladder import (
    BALLISTIC_RUNG,
    JUMP_PAIN_FREE_WEEKS,
    bodyweight_first_missing,
    bodyweight_rung,
    current_rung,
    down_chain,
    ladder_cap,
    rung_mastered,
)
from .loads import active_pain_trigger, max_increase_kg
from .prescribe import PAIN_DROP, prescribe
from .prescription import (HOLD_MAX_S, HOLD_START_S, HOLD_STEP_S, REP_MAX, REP_MIN, SETS_MAX, SETS_START, WALK_MAX_MIN,
                           WALK_START_MIN, WALK_STEP_MIN, Action, Prescription)

__all__ = [
    "Prescription", "prescribe", "max_increase_kg", "active_pain_trigger", "bodyweight_rung", "down_chain",
    "bodyweight_first_missing", "rung_mastered", "ladder_cap", "current_rung", "film_instructions", "deload_reason",
    "REP_MIN", "REP_MAX", "DELOAD_EVERY_WEEKS",
    # the module's other public names before it became a package
    "Action", "SETS_START", "SETS_MAX", "HOLD_START_S", "HOLD_MAX_S", "HOLD_STEP_S", "WALK_START_MIN", "WALK_MAX_MIN",
    "WALK_STEP_MIN", "PAIN_DROP", "JUMP_PAIN_FREE_WEEKS", "BALLISTIC_RUNG", "BREAK_SHORT_DAYS", "BREAK_MID_DAYS",
    "BREAK_LONG_DAYS",
]
