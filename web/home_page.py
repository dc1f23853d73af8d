"""What a home page's queues show, made ready in Python (issue 10).

A URL tag, a ``blocktranslate`` or a filter per item costs the template engine ten to forty
times what the same call costs in Python: on a bureau's home page of eleven queues they were a
third of the rendering. ``ready`` gives each queue its article and "还有 N 项" labels and each
shown item the addresses and texts its template prints; ``ready_warnings`` does so for the split
and duplicate warnings (办法第三、八条), which the project page shows too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from core.kept_sql import Ask, KeptQueries
from projects.models import AnnualPlan
from projects.similarity import matched_fields
from projects.templatetags.web import ratio as _ratio  # what the ``ratio`` filter prints


def ready_warnings(warnings: Iterable[Any]) -> None:
    """Each warning's two projects' addresses, its score and its part scores as shown."""
    for w in warnings:
        w.first_url = reverse("project", args=[w.first_id])
        w.second_url = reverse("project", args=[w.second_id])
        w.score_label = _ratio(w.score)
        w.parts = [
            {**part, "ratio": _ratio(part["score"])}
            for part in matched_fields(w.details if isinstance(w.details, dict) else {})
        ]


def ready(queues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``queues`` (``projects.selectors.home_queues``) with what their template prints."""
    for q in queues:
        q["article_label"] = _("办法%(a)s") % {"a": q["article"]} if q["article"] else ""
        q["more_label"] = _("还有 %(n)s 项") % {"n": q["more"]} if q["more"] else ""
        # The list page filtered to the whole queue (projects.selectors.queue_projects).
        q["more_url"] = f"{reverse('project_list')}?queue={q['key']}" if q["more"] and q["listable"] else ""
        if q["kind"] == "splits":
            ready_warnings(q["items"])
        elif q["kind"] == "incidents":
            for i in q["items"]:
                i.url = reverse("project", args=[i.project_id])
        elif q["kind"] == "changes":
            for c in q["items"]:
                c.url = reverse("change", args=[c.pk])
                c.ratio_label = _ratio(c.ratio) if c.ratio is not None else ""
    return queues


#: The SQL of ``plans_ask`` (core.kept_sql).
_KEPT = KeptQueries(4)


def plans_ask() -> Ask:
    """The three latest annual plans (the page's "年度建设计划"), as an ask to send with the
    queues' (issue 10)."""
    return _KEPT.ask(("plans",), lambda: AnnualPlan.objects.order_by("-year")[:3])
