"""The coach's rules in the section "Recovery" of docs/coach.md (COACHING_RULES.md §8).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule

RECOVERY_RULES: tuple[Rule, ...] = (
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
)
