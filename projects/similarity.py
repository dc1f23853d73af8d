"""办法第八条: warn the bureau when one department's applications look like one project split.

The measure, per pair of applications of the same department in the same call:

* each text (name, performance targets/goals, construction content, technical route) is
  normalised — punctuation, white space and generic words (系统、平台、项目、建设、省、…)
  removed — and cut into overlapping two-character pieces (bigrams), which works for
  Chinese without a word segmenter;
* the similarity of two texts is the Dice coefficient of their bigram sets,
  2·|A∩B| / (|A|+|B|), between 0 and 1;
* the score is the weighted mean: name 0.2, goals 0.25, content 0.35, technical route 0.2
  (content and goals weigh most, since a split keeps them while renaming the parts).

A pair scoring at least ``Policy.split_warning_threshold`` (0.6) is stored as a
``SplitWarning`` with the per-field figures, for the bureau to look at; it blocks nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import combinations

from lifecycle.policy import get_policy

from .models import Project, SplitWarning

FIELDS = {"name": 0.2, "performance_targets": 0.25, "content_and_scale": 0.35, "technical_route": 0.2}
GENERIC = [
    "黑龙江省",
    "黑龙江",
    "政务信息化",
    "信息化",
    "系统",
    "平台",
    "项目",
    "建设",
    "工程",
    "一期",
    "二期",
    "省级",
    "省",
]
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    text = text or ""
    for word in GENERIC:
        text = text.replace(word, "")
    return _PUNCT.sub("", text).lower()


def bigrams(text: str) -> set[str]:
    text = normalise(text)
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def dice(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def similarity(p, q) -> tuple[float, dict]:
    details = {name: round(dice(getattr(p, name), getattr(q, name)), 3) for name in FIELDS}
    score = sum(details[name] * weight for name, weight in FIELDS.items())
    return round(score, 3), details


def detect_splits(call, organisation) -> list:
    """Recompute the warnings for one department's applications in one call."""
    projects = list(
        Project.objects.filter(call=call, owner=organisation, discarded_at__isnull=True)
        .exclude(state="withdrawn")
        .order_by("pk")
    )
    SplitWarning.objects.filter(call=call, first__owner=organisation).delete()
    warnings = [
        SplitWarning(call=call, first=p, second=q, score=Decimal(str(score)), details=details)
        for p, q, score, details in split_pairs(projects)
    ]
    return SplitWarning.objects.bulk_create(warnings)


def split_pairs(projects) -> list[tuple]:
    """The pairs (p, q, score, details) of ``projects`` scoring at least the threshold,
    computed without writing anything (the head sees them before signing, 办法第八条)."""
    threshold = get_policy().split_warning_threshold
    pairs = []
    for p, q in combinations(projects, 2):
        score, details = similarity(p, q)
        if score >= threshold:
            pairs.append((p, q, score, details))
    return pairs
