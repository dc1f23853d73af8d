"""办法第九、十条: the application as it went out at each submission, and what changed.

When the department sends its application — with the 统一申报 (``submit``, 办法第八条), with
each 陈述和补正 it sends back (``submit_correction``, 办法第十条) or with an emergency request
(``request_emergency``, 办法第十二条) — ``snapshot`` keeps its 第九条 items as an
``ApplicationVersion`` and writes an audit row. It runs inside the step's own transaction
(``lifecycle.events.step_taken``, sent by ``lifecycle.services.perform``), so a refused step
keeps no version and every step taken has one.

``changes`` compares two versions item by item, as people read them (万元, the labels of
choices), and marks what was deleted and inserted in each item.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Max
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from core import timeutil
from core.formatting import wan_text
from lifecycle import audit
from lifecycle.events import Action, step_taken

from .forms import APPLICATION_FIELDS
from .models import ApplicationVersion, Project, User

#: The steps that send the application to the reviewers (transition names).
SNAPSHOT_STEPS = frozenset({"submit", "submit_correction", "request_emergency"})

#: The 第九条 items kept in a version: the fields of the application form (projects.forms
#: APPLICATION_FIELDS but the call, which is not content) and the rows, column by column.
FIELDS = tuple(name for name in APPLICATION_FIELDS if name != "call")
ROWS: dict[str, tuple[str, ...]] = {
    "yearly_investments": ("year", "amount_yuan"),
    "funding_lines": ("source", "amount_yuan"),
    "data_resources": (
        "name",
        "provider",
        "data_format",
        "update_cycle",
        "sharing_type",
        "sharing_condition",
        "open_type",
    ),
    "participants": ("organisation", "part", "business_flow", "data_flow", "interfaces"),
    "level_relations": ("level", "related_system", "description"),
}
#: A diff of texts longer than this is computed line by line instead of character by character.
CHARACTER_DIFF_LIMIT = 4000


def _raw(value: Any) -> Any:
    if isinstance(value, models.Model):  # a related record (建设性质's 前期项目): its name
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def application_content(project: Project, names: list[str] | None = None) -> dict[str, Any]:
    """The 第九条 items of ``project`` (``names``, or all) as stored (JSON): {field: value,
    list: [{column: value}]}; one query per list."""
    wanted = set(names) if names is not None else set(FIELDS) | set(ROWS)
    content: dict[str, Any] = {name: _raw(getattr(project, name)) for name in FIELDS if name in wanted}
    for relation, columns in ROWS.items():
        if relation not in wanted:
            continue
        rows = getattr(project, relation).order_by("pk")
        if relation == "participants":
            rows = rows.select_related("organisation")
        content[relation] = [
            {
                column: (str(row.organisation) if column == "organisation" else _raw(getattr(row, column)))
                for column in columns
            }
            for row in rows
        ]
    return content


def snapshot(project: Project, *, actor: User, action: str) -> ApplicationVersion:
    """Keep the application as ``action`` sends it; audit row ``application.versioned`` naming
    the version and the items changed since the one before. Called inside the step's transaction."""
    previous = project.application_versions.order_by("-number").first()
    content = application_content(project)
    version = ApplicationVersion.objects.create(
        project=project,
        number=(previous.number + 1) if previous else 1,
        action=action,
        taken_at=timeutil.now(),
        taken_by=actor,
        content=content,
    )
    changed = [name for name in (*FIELDS, *ROWS) if previous and previous.content.get(name) != content[name]]
    audit.record(
        actor=actor,
        action=Action.APPLICATION_VERSIONED,
        obj=version,
        label=_("保存报送的申报材料版本"),
        article="第十条",
        from_state=project.state,
        to_state=project.state,
        data={"number": version.number, "step": action, "changed": changed},
    )
    return version


@receiver(step_taken, sender=Project, dispatch_uid="projects.versions.snapshot")
def _step_taken(sender: type, *, obj: Project, action: str, actor: User, **kwargs: Any) -> None:
    if action in SNAPSHOT_STEPS:
        snapshot(obj, actor=actor, action=action)


def last_numbers(project_ids: list[int]) -> dict[int, int]:
    """The number of the latest version of each project (one query)."""
    rows = (
        ApplicationVersion.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(n=Max("number"))
    )
    return {row["project_id"]: row["n"] for row in rows}


# ---------------------------------------------------------------- reading a version


def label(name: str) -> StrOrPromise:
    """The label of a 第九条 item: the field's, or the list's (数据资源目录 …)."""
    field = Project._meta.get_field(name)
    if field.is_relation and field.one_to_many:
        return field.related_model._meta.verbose_name_plural
    return field.verbose_name


def cell(model: Any, column: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    field = model._meta.get_field(column)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if column.endswith("_yuan"):
        return _("%(amount)s万元") % {"amount": wan_text(value)}
    return str(value)


def text(name: str, value: Any) -> str:
    """An item of a version as people read it; a list one row per line."""
    if name in ROWS:
        model = Project._meta.get_field(name).related_model
        return "\n".join(
            "｜".join(cell(model, column, row.get(column)) for column in ROWS[name]) for row in value or []
        )
    return cell(Project, name, value)


@dataclass(frozen=True)
class Change:
    """One item changed between two versions: before and after as read, and the pieces of
    the text kept (``equal``), taken out (``delete``) and put in (``insert``)."""

    name: str
    label: StrOrPromise
    before: str
    after: str
    pieces: tuple[tuple[str, str], ...]


def _pieces(before: str, after: str) -> tuple[tuple[str, str], ...]:
    if len(before) + len(after) > CHARACTER_DIFF_LIMIT:
        a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    else:
        a, b = list(before), list(after)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("insert", "".join(b[j1:j2])))
    return tuple(pieces)


def changes(
    older: dict[str, Any], newer: dict[str, Any], names: tuple[str, ...] | None = None
) -> list[Change]:
    """The items of ``names`` (every item by default) that differ between two versions' content."""
    result = []
    for name in names or (*FIELDS, *ROWS):
        if older.get(name) == newer.get(name):
            continue
        before, after = text(name, older.get(name)), text(name, newer.get(name))
        result.append(Change(name, label(name), before, after, _pieces(before, after)))
    return result
