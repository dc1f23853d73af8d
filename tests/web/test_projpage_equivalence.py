"""Issue 10: the project page reads each kind of row once (web/project_page.py), and every
part of the page gives the same answer as when it asked the database itself — for every
demo person and every project they see, in all 35 states: the filings the person may issue
or sample (办法第十、十八、二十五、二十八、二十九、三十三、三十六条; ``documents.filings``), the
data they may correct (``lifecycle.corrections``), the history they read (``projects.history``),
the decision that ended the project, the sign-offs and the kinds they may upload.

The references below are the checks as they were written before (one query per kind and
object): the batched ones must never differ from them.
"""

from __future__ import annotations

import datetime

import pytest

from documents import evidence, filings, services as document_services
from documents.access import may_see
from documents.registry import MaterialKind
from lifecycle import corrections
from lifecycle.errors import RuleViolation
from projects.history import visible_history
from projects.models import User
from projects.selectors import visible_projects
from projects.supervision import project_supervision
from projects.templatetags.approval import ending_decision
from tests.conftest import built_once
from web import demo, project_page


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        yield demo.load(today=datetime.date(2026, 11, 27))


def reference_actions_for(actor, project) -> list[dict]:
    """``filings.actions_for`` as it was: every check asks the database."""
    result = []
    if not may_see(actor, project):
        return result
    for kind in filings.PROJECT_KINDS:
        spec = filings.SPECS[kind]
        if filings._frozen(spec, project):
            continue
        for obj in filings.candidates(spec, project):
            base = {
                "kind": kind,
                "label": filings._label(kind),
                "object_id": obj.pk if obj is not None else "",
                "about": str(obj) if obj is not None else "",
            }
            try:
                filings.issue_check(kind, actor=actor, project=project, obj=obj)
            except RuleViolation:
                pass
            else:
                result.append({**base, "mode": "issue"})
                continue
            try:
                filings.preview_check(kind, actor=actor, project=project, obj=obj)
            except RuleViolation:
                continue
            result.append({**base, "mode": "preview"})
    return result


def reference_recorded(project, actor) -> list[dict]:
    """``corrections.recorded`` as it was: one query per datum."""
    allowed = set()
    if getattr(actor, "is_authenticated", False) and getattr(actor, "role", None) == "head":
        allowed = {
            f for f in corrections.fields_of(project) if corrections.refusal(project, f, actor) is None
        }
    rows = []
    for field in corrections.fields_of(project):
        value = corrections.current_value(project, field)
        if value is None and field not in allowed:
            continue
        rows.append((field, value, field in allowed))
    return rows


def page_parts(project, user) -> dict:
    """What the project page computes from the rows it loads once."""
    project = (
        visible_projects(user)
        .select_related("owner", "call", "plan", "responsible_person")
        .get(pk=project.pk)
    )
    clocks = list(project.clocks.order_by("due_on", "pk"))
    loaded = project_page.load(project)
    documents = project_page.documents_context(project, user, loaded)
    return {
        "actions": documents["filing_actions"],
        "recorded": [
            (r["field"], r["value"], r["may_correct"])
            for r in project_page.recorded(project, user, clocks, loaded)
        ],
        "history": [e.pk for e in project_page.history(user, loaded)],
        "decision": project_page.ending_decision(project, loaded),
        "signoffs": [(r["signoff"].pk, r["newest"], r["outdated"]) for r in documents["signoffs"]],
        "uploads": documents["upload_kinds"],
        "confirmable": documents["confirmable"],
        "excused": project_page.excused_findings(project_supervision(project)),
    }


def reference_parts(project, user) -> dict:
    rows = project.audit_entries.select_related("organisation").order_by("at", "pk")
    return {
        "actions": reference_actions_for(user, project),
        "recorded": reference_recorded(project, user),
        "history": [e.pk for e in visible_history(user, rows)],
        "decision": ending_decision(project),
        "signoffs": [
            (r["signoff"].pk, r["newest"], r["outdated"]) for r in document_services.signoff_status(project)
        ],
        "uploads": [
            (v, label)
            for v, label in MaterialKind.choices
            if document_services.upload_refusal(project, user, v) is None
        ],
        "confirmable": evidence.confirmable_kinds(project, user),
        "excused": {f.pk for f in project_supervision(project).findings if f.excusing_exception()},
    }


def _compare(people, projects=None) -> list[tuple]:
    """Compare every part for each person and project they see; the issue actions found."""
    found = []
    for user in people:
        for project in visible_projects(user).order_by("pk"):
            if projects is not None and project.pk not in projects:
                continue
            ours, reference = page_parts(project, user), reference_parts(project, user)
            for part, value in reference.items():
                assert ours[part] == value, (user.username, project.name, project.state, part)
            assert filings.actions_for(user, project) == reference["actions"]
            found += [(user, project, a) for a in reference["actions"] if a["mode"] == "issue"]
    return found


def test_every_part_of_the_page_answers_as_the_database_does(demo_loaded, db):
    # Every department's 经办人 and 负责人, every agency's 负责人, and the 审核人 of the bureau,
    # 网信办, 密码管理局 and 审计厅 (the joint review's and the audit's reviewers).
    people = [
        u
        for u in User.objects.filter(is_active=True, organisation__isnull=False).select_related(
            "organisation"
        )
        if u.organisation.kind == "owner"
        or u.role != "reviewer"
        or u.organisation.kind in ("bureau", "cac", "crypto", "audit")
    ]
    assert len(people) > 20
    found = _compare(people)
    # Then with filings issued: each takes its button away (办法第十条: once per step occurrence).
    kinds, issued = set(), set()
    for user, project, action in found:
        if action["kind"] not in kinds:
            filings.generate(action["kind"], actor=user, project=project, object_id=action["object_id"])
            kinds.add(action["kind"])
            issued.add(project.pk)
    assert len(kinds) >= 3, kinds
    _compare(people, issued)
