"""What COACHING_RULES.md says the coach must answer, computed here from the rules themselves (never from backsafe's
own functions), so a journey's expectation cannot drift with the code it checks.

Numbers (COACHING_RULES.md §1, §4):
- severe pain: ≥7/10 during or after, a morning ≥7 or ≥3 above usual → no loaded session until below 5;
- pain 0-2 during a set needs no change; >5, or ≥2 above the pre-session score (and above 2) → next load = the
  largest available ≤ 0.85 × that load;
- RIR table: failure → −10 %; RIR 1 → −2.5-5 %;
- back after a break: 2-3 wk → 90 % of the last load; 3-6 wk → 80 % and one set fewer; >6 wk → one rung down;
- deloads: volume −30-50 %, from the last working load;
- equipment: dumbbells 1 kg (2.5 lb) steps to 10 kg (25 lb), then 2 kg (5 lb); kettlebells 4 kg apart; barbell
  2.5 kg (5 lb) steps from the bar (20 kg / 45 lb).
"""

from __future__ import annotations

LB = 0.45359237  # kg per lb, exact by definition

DUMBBELL_KG = [float(i) for i in range(1, 11)] + [10.0 + 2 * i for i in range(1, 36)]
DUMBBELL_LB = [2.5 * i for i in range(1, 11)] + [25.0 + 5 * i for i in range(1, 36)]
KETTLEBELL_KG = [float(k) for k in range(4, 93, 4)]
BARBELL_KG = [20.0 + 2.5 * i for i in range(193)]
BARBELL_LB = [45.0 + 5 * i for i in range(212)]

# Ladder rungs (COACHING_RULES §4: floor/isometric 0 → bodyweight 1 → light load close to the body 2 → barbell 3 →
# ballistic 4 → jumps 5), for the exercises the journeys use.
RUNG = {"glute_bridge": 0, "bird_dog": 0, "side_plank": 0, "plank": 0, "cat_camel": 0, "walking": 1, "squat": 1,
        "box_squat": 1, "sit_to_stand": 1, "split_squat": 1, "lunge": 1, "dowel_hinge": 1, "step_back_burpee": 1,
        "goblet_squat": 2, "kettlebell_deadlift": 2, "romanian_deadlift": 2, "back_squat": 3, "deadlift": 3,
        "kettlebell_swing": 4, "jump_squat": 5, "jump_lunge": 5, "burpee": 5, "jumping_jack": 5}
HIGH_IMPACT = {"jump_squat", "jump_lunge", "burpee", "jumping_jack"}
GENTLE = {"walking", "cat_camel"}


def ladder(equipment: str, unit: str) -> list[float]:
    """The standard loads of ``equipment`` in kg, as a person with ``unit`` owns them."""
    if equipment == "kettlebell":
        return KETTLEBELL_KG
    if equipment == "barbell":
        return BARBELL_KG if unit == "kg" else [v * LB for v in BARBELL_LB]
    return DUMBBELL_KG if unit == "kg" else [v * LB for v in DUMBBELL_LB]


def largest_le(equipment: str, unit: str, kg: float) -> float:
    vals = [v for v in ladder(equipment, unit) if v <= kg + 1e-6]
    return vals[-1] if vals else 0.0


def pain_drop(equipment: str, unit: str, trigger_kg: float) -> float:
    """§4 "drop below the pain trigger": the largest available ≤ 0.85 × the triggering load."""
    return largest_le(equipment, unit, 0.85 * trigger_kg)


def kg(text: str) -> float:
    """'30lb' / '12kg' → kg."""
    t = text.strip().lower()
    if t.endswith("lb"):
        return float(t[:-2]) * LB
    return float(t.removesuffix("kg"))


def severe_after_session(pain_during: int | None, pain_after: int | None) -> bool:
    return max(p for p in (pain_during or 0, pain_after or 0)) >= 7


def severe_morning(morning: int, usual: float) -> bool:
    return morning >= 7 or morning - usual >= 3


def meaningful_nrs(first: float, last: float) -> bool:
    """Ostelo 2008: 2 NRS points or 30 %."""
    return abs(last - first) >= 2 or (first > 0 and abs(last - first) / first >= 0.30)


def meaningful_psfs(first: float, last: float) -> bool:
    return abs(last - first) >= 2
