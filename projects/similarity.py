"""办法第八条: warn the bureau when one department's applications look like one project split.

The measure, per pair of applications of the same department in the same call (issue 15,
measured on the labelled call of tests/projects/split_corpus.py; figures in
docs/split-detection.md):

* **name** (weight 0.4): the names without generic words (系统、平台、项目、建设、省 …) and
  without what tells the parts of a split apart — the lot (一标段), the phase (二期), the year
  (2027年建设内容), the funding source (中央资金部分), the item (软件开发 / 硬件采购), "部分" —
  compared as sets of two-character pieces (bigrams: Chinese without a word segmenter) by the
  Dice coefficient; 1 when one stem contains the other;
* **goals** (0.3), **content** (0.15), **technical route** (0.15): the cosine of the texts'
  bigram TF-IDF vectors, the IDF taken over the whole call (``Corpus``), so the paragraphs
  many departments copy — the standard 技术路线, the usual opening of the goals, the closing of
  the content — weigh almost nothing, and what two applications alone share weighs much.

The parts of a split keep their system's name and goals and divide the content; different
systems of one department share at most a domain word and the boilerplate. A pair scoring at
least ``Policy.split_warning_threshold`` (0.5) is stored as a ``SplitWarning`` with the
per-field figures, for the bureau to look at, most likely first; it blocks nothing.

办法第三条 (集约节约; issue 15): the same measure across departments. A pair of applications of
*different* departments in one call scoring at least ``Policy.duplicate_warning_threshold`` is
stored as a ``SplitWarning`` of kind ``duplicate`` — the same system possibly built twice — a
separate kind of warning for the bureau, never shown to the other department.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from decimal import Decimal
from itertools import combinations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.states import ProjectState
from lifecycle.policy import get_policy

from .models import Project, SplitWarning

FIELDS = {"name": 0.4, "performance_targets": 0.3, "content_and_scale": 0.15, "technical_route": 0.15}
TEXT_FIELDS = ("performance_targets", "content_and_scale", "technical_route")
#: How the pages name the fields whose part scores a warning shows (issue 15).
FIELD_LABELS = {
    "name": _("项目名称"),
    "performance_targets": _("绩效目标"),
    "content_and_scale": _("建设内容"),
    "technical_route": _("技术路线"),
}
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


#: What tells the parts of one split apart in their names — the lot (一标段), the phase (二期),
#: the year (2027年建设内容), the funding source (中央资金部分), the item of procurement (软件开发 /
#: 硬件采购), "部分" — removed before names are compared, so the parts' names meet again.
_PART_MARKERS = re.compile(
    r"第?[一二三四五六七八九十\d]+(标段|标包|包|期)"
    r"|\d{4}年(度)?(建设内容|部分)?"
    r"|(中央|省级|省本级|地方|市县)(财政)?(资金|配套)(部分)?"
    r"|软件开发|硬件(采购|购置)|设备(采购|购置)|系统集成|运维服务|建设内容|部分"
)


def name_stem(name: str) -> str:
    """The name without generic words and without what distinguishes the parts of a split."""
    return normalise(_PART_MARKERS.sub("", name or ""))


def name_similarity(a: str, b: str) -> float:
    """Dice of the stems' bigrams; 1 when one stem contains the other (a part named after its
    system plus a sub-system)."""
    x, y = name_stem(a), name_stem(b)
    if not x or not y:
        return 0.0
    if len(min(x, y, key=len)) >= 4 and (x in y or y in x):
        return 1.0
    return dice(x, y)


class Corpus:
    """The applications of one call, for weighing what two of them share: a bigram found in
    most of the call's texts of a field (the standard 技术路线 paragraph, the usual opening of
    the goals) says little; one found in two says much (TF-IDF, IDF smoothed as
    log((1+N)/(1+df)) + 1, over each field separately)."""

    def __init__(self, texts: list[dict[str, str]]):
        self.size = len(texts)
        self.df: dict[str, Counter] = {field: Counter() for field in TEXT_FIELDS}
        for row in texts:
            for field in TEXT_FIELDS:
                self.df[field].update(bigrams(row.get(field) or ""))
        self._vectors: dict[tuple[str, str], dict[str, float]] = {}

    @classmethod
    def of(cls, projects) -> Corpus:
        return cls([{f: getattr(p, f) or "" for f in TEXT_FIELDS} for p in projects])

    @classmethod
    def for_call(cls, call) -> Corpus:
        """Every application of ``call`` not withdrawn, all departments (one query)."""
        rows = Project.objects.filter(call=call).exclude(state="withdrawn").values(*TEXT_FIELDS)
        return cls(list(rows))

    def idf(self, field: str, gram: str) -> float:
        return math.log((1 + self.size) / (1 + self.df[field][gram])) + 1.0

    def vector(self, field: str, text: str) -> dict[str, float]:
        key = (field, text)
        if key not in self._vectors:
            counts = Counter(_grams(text))
            weights = {g: n * self.idf(field, g) for g, n in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            self._vectors[key] = {g: w / norm for g, w in weights.items()}
        return self._vectors[key]

    def cosine(self, field: str, a: str, b: str) -> float:
        x, y = self.vector(field, a or ""), self.vector(field, b or "")
        if len(y) < len(x):
            x, y = y, x
        return sum(w * y.get(g, 0.0) for g, w in x.items())


def _grams(text: str) -> list[str]:
    text = normalise(text)
    if len(text) < 2:
        return [text] if text else []
    return [text[i : i + 2] for i in range(len(text) - 1)]


def similarity(p, q, corpus: Corpus | None = None) -> tuple[float, dict]:
    """(score, per-field figures) of two applications; ``corpus``: the call they belong to
    (default: the two alone, so nothing is discounted)."""
    corpus = corpus or Corpus.of([p, q])
    details = {"name": round(name_similarity(p.name, q.name), 3)}
    for field in TEXT_FIELDS:
        details[field] = round(corpus.cosine(field, getattr(p, field), getattr(q, field)), 3)
    score = sum(details[name] * weight for name, weight in FIELDS.items())
    return round(score, 3), details


def detect_splits(call, organisation) -> list:
    """Recompute the warnings for one department's applications in one call: the split pairs
    among them (办法第八条) and the duplicate pairs between them and the other departments'
    sent applications (办法第三条)."""
    projects = list(
        Project.objects.filter(call=call, owner=organisation, discarded_at__isnull=True)
        .exclude(state=ProjectState.WITHDRAWN)
        .order_by("pk")
    )
    corpus = Corpus.for_call(call)
    Split = SplitWarning.Kind
    SplitWarning.objects.filter(call=call, kind=Split.SPLIT, first__owner=organisation).delete()
    warnings = [
        SplitWarning(call=call, first=p, second=q, score=Decimal(str(score)), details=details)
        for p, q, score, details in split_pairs(projects, corpus)
    ]
    # 办法第三条: across departments, only applications already sent (never another
    # department's drafts).
    sent = [p for p in projects if p.state != ProjectState.DRAFT]
    others = list(
        Project.objects.filter(call=call, discarded_at__isnull=True)
        .exclude(owner=organisation)
        .exclude(state__in=(ProjectState.DRAFT, ProjectState.WITHDRAWN))
        .order_by("pk")
    )
    SplitWarning.objects.filter(call=call, kind=Split.DUPLICATE).filter(
        Q(first__owner=organisation) | Q(second__owner=organisation)
    ).delete()
    warnings += [
        SplitWarning(
            call=call, kind=Split.DUPLICATE, first=p, second=q, score=Decimal(str(score)), details=details
        )
        for p, q, score, details in duplicate_pairs(sent, others, corpus)
    ]
    return SplitWarning.objects.bulk_create(warnings)


def duplicate_pairs(projects, others, corpus: Corpus | None = None) -> list[tuple]:
    """办法第三条: the pairs (p, q, score, details), p of ``projects`` and q of ``others`` of
    another department, scoring at least ``Policy.duplicate_warning_threshold``, most likely
    first. ``corpus``: the call's applications (default: both lists)."""
    threshold = get_policy().duplicate_warning_threshold
    corpus = corpus or Corpus.of([*projects, *others])
    pairs = []
    for p in projects:
        for q in others:
            if _owner(q) == _owner(p):
                continue
            score, details = similarity(p, q, corpus)
            if score >= threshold:
                pairs.append((p, q, score, details))
    return sorted(pairs, key=lambda pair: -pair[2])


def _owner(p):
    return getattr(p, "owner_id", None) or p.owner


def matched_fields(details: dict) -> list[dict]:
    """The part scores of a warning as the pages show them: each field with its label, its
    score and whether it matched (at least the warning threshold), strongest first."""
    threshold = min(get_policy().split_warning_threshold, get_policy().duplicate_warning_threshold)
    scores = {f: float(details[f]) for f in FIELDS if f in (details or {})}
    rows = [
        {"field": f, "label": FIELD_LABELS[f], "score": score, "matched": score >= threshold}
        for f, score in sorted(scores.items(), key=lambda item: -item[1])
    ]
    return rows


def split_pairs(projects, corpus: Corpus | None = None) -> list[tuple]:
    """The pairs (p, q, score, details) of ``projects`` scoring at least the threshold, most
    likely first, computed without writing anything (the head sees them before signing,
    办法第八条). ``corpus``: the call's applications (default: ``projects``)."""
    threshold = get_policy().split_warning_threshold
    corpus = corpus or Corpus.of(projects)
    pairs = []
    for p, q in combinations(projects, 2):
        score, details = similarity(p, q, corpus)
        if score >= threshold:
            pairs.append((p, q, score, details))
    return sorted(pairs, key=lambda pair: -pair[2])
