"""Accessible forms (issue 13): on every page of the site — each view found by walking the
URL resolver, blank and after an invalid POST where the page takes one — a person using a
screen reader hears what each input is, its help and its errors:

* every visible input, select and textarea has a label (``<label for>``, a ``<label>``
  around it, ``aria-label`` or ``aria-labelledby``);
* every id named by ``aria-describedby`` or ``aria-labelledby`` exists, and no id is used
  twice;
* an error beside a field is named by that field's ``aria-describedby`` and the field is
  ``aria-invalid="true"``; an input marked invalid points at the text that says why;
* an error of a form that belongs to no one field (non-field errors, formset errors, a
  refusal by a rule) is in a ``role="alert"`` region or describes its fieldset.

A page added to the URL conf without a case here, or a reason why it shows no page,
fails ``test_every_view_is_checked``.
"""

from __future__ import annotations

import contextlib
from decimal import Decimal
from html.parser import HTMLParser
from typing import NamedTuple

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api import urls as api_urls
from core.states import ProjectState as S
from lifecycle import services as change_services
from tests import conftest as root
from tests.conftest import at
from tests.factories import ProjectFactory, complete_application
from tests.web import conftest as web
from tests.web.supervision_world import supervision_records

# ---------------------------------------------------------------- reading the page

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}
NOT_FILLED_IN = {"hidden", "submit", "button", "reset", "image"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, {k: (v or "") for k, v in attrs}, parent
        self.children: list[Node] = []
        self.text: list[str] = []
        self.in_template = tag == "template" or bool(parent and parent.in_template)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def all_text(self) -> str:
        return "".join(self.text) + "".join(c.all_text() for c in self.children)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ids(self, name) -> list[str]:
        return self.attrs.get(name, "").split()

    def is_control(self) -> bool:
        if self.tag == "input":
            return self.attrs.get("type", "text") not in NOT_FILLED_IN
        return self.tag in CONTROLS

    def __repr__(self):
        shown = {k: v for k, v in self.attrs.items() if k in ("id", "name", "class", "aria-describedby")}
        return f"<{self.tag} {shown}>"


class Page(HTMLParser):
    """The element tree of a page (html.parser; the templates close what they open)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.stack = [self.root]
        self.feed(html)
        self.close()
        # What a <template> holds is not on the page until the script copies it.
        self.nodes = [n for n in self.root.walk() if n is not self.root and not n.in_template]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].text.append(data)


def _errors_of(node: Node) -> list[Node]:
    return [n for n in node.walk() if "error" in n.classes and n.all_text().strip()]


def problems(html: str) -> list[str]:
    """What keeps a screen-reader user from knowing what an input is or why it was refused."""
    page = Page(html)
    found: list[str] = []
    by_id: dict[str, Node] = {}
    for node in page.nodes:
        if "id" in node.attrs:
            if node.attrs["id"] in by_id:
                found.append(f"id {node.attrs['id']!r} is used twice")
            by_id[node.attrs["id"]] = node
    labelled = {n.attrs.get("for") for n in page.nodes if n.tag == "label"}
    described_by: dict[str, list[Node]] = {}
    for node in page.nodes:
        for attr in ("aria-describedby", "aria-labelledby"):
            for ref in node.ids(attr):
                if ref not in by_id:
                    found.append(f"{node!r}: {attr} names {ref!r}, which is not on the page")
                described_by.setdefault(ref, []).append(node)
    for node in page.nodes:
        if not node.is_control():
            continue
        if not (
            node.attrs.get("aria-label", "").strip()
            or node.ids("aria-labelledby")
            or node.attrs.get("id") in labelled
            or any(a.tag == "label" for a in node.ancestors())
        ):
            found.append(f"{node!r} has no label")
        if node.attrs.get("aria-invalid") == "true" and not any(
            _errors_of(by_id[ref]) for ref in node.ids("aria-describedby") if ref in by_id
        ):
            found.append(f"{node!r} is marked invalid but points at no error text")
    for error in (n for n in page.nodes if "error" in n.classes and n.all_text().strip()):
        if not any(a.tag == "form" for a in error.ancestors()):
            continue  # a list of check results or a notice, not an answer to what was typed
        chain = [error, *error.ancestors()]
        naming = {id_ for n in chain if (id_ := n.attrs.get("id"))}
        box = next((a for a in chain if a.tag == "td" or "field" in a.classes), None)
        controls = [n for n in box.walk() if n.is_control()] if box is not None else []
        if controls:
            if not any(
                naming & set(c.ids("aria-describedby")) and c.attrs.get("aria-invalid") == "true"
                for c in controls
            ):
                found.append(
                    f"the error {error.all_text().strip()!r} is not tied to its input "
                    f"{controls[0]!r} (aria-describedby and aria-invalid)"
                )
        elif not (
            any(n.attrs.get("role") == "alert" for n in chain) or any(ref in described_by for ref in naming)
        ):
            found.append(
                f"the form error {error.all_text().strip()!r} is neither an alert nor describes a fieldset"
            )
    return found


def shows_an_error(html: str) -> bool:
    page = Page(html)
    return any(
        n.attrs.get("aria-invalid") == "true" or (n.attrs.get("role") == "alert" and n.all_text().strip())
        for n in page.nodes
    )


# ---------------------------------------------------------------- the world


def _plain(fixture):
    return fixture.__wrapped__


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The web tests' scene plus a department (other_owner) with a draft and no submission
    yet and a draft of the owner with nothing but its name, built once for the module inside a
    transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            orgs = _plain(root.orgs)(None)
            people = _plain(root.people)(orgs)
            call = _plain(root.call_2026)(None)
            scene = _plain(web.scene)(orgs, people, call)
            with at(2025, 6, 20):
                scene["other_draft"] = complete_application(
                    ProjectFactory(owner=orgs["other_owner"], call=call, name="卫生健康监管系统")
                )
                scene["incomplete"] = ProjectFactory(owner=orgs["owner"], call=call, name="只有名称的草稿")
                # 办法第十三条: other_owner takes part in the owner's draft (participant_confirm).
                scene["draft"].participants.create(
                    organisation=orgs["other_owner"], part="建设本部门子系统。"
                )
            # 办法第三十六条: a project under a 整改通知, whose department reports what it
            # rectified (only its page's HTML is read here, so its state is set directly).
            scene["rectifying"] = ProjectFactory(
                owner=orgs["owner"], call=call, name="整改中的系统", state=S.RECTIFICATION
            )
            # 办法第三十四、三十六、三十九条: a finding, exceptions and decisions to show.
            scene["supervision"] = supervision_records(orgs, people, scene["building"])
            # Issue 11: a change its 经办人 still drafts (change_edit).
            with at(2026, 3, 2):
                scene["change_draft"] = change_services.change_create(
                    scene["building"],
                    actor=people["owner_preparer"],
                    title="草稿变更",
                    reason="部署",
                    ground="deployment",
                    items=[{"from_content": "甲", "to_content": "乙", "amount_yuan": Decimal("100000")}],
                )
            clients = {}
            for persona in PERSONAS:
                clients[persona] = Client()
                if persona != "anonymous":
                    clients[persona].force_login(people[persona])
            yield {"scene": scene, "people": people, "clients": clients}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


PERSONAS = [
    "anonymous",
    "owner_preparer",
    "owner_head",
    "other_owner_head",
    "bureau_reviewer",
    "bureau_head",
    "cac_reviewer",
    "admin",
]


# ---------------------------------------------------------------- the pages


class Case(NamedTuple):
    view: str
    persona: str
    url: object  # scene → path
    post: object = None  # scene → data of an invalid POST, or None for a GET
    status: int = 200
    day: tuple | None = None  # the day the page is shown on (the June call window)
    refused: bool = False  # a GET that shows errors (the 办法第九条 check)


def management(prefix, total=1, initial=0, minimum=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": str(minimum),
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def bad_application(s):
    """Errors on a field (period in Chinese numerals), on a formset cell (办法第十六条: a
    conditional share without its condition) and on a whole row (a year outside the period)."""
    data = {
        "name": "全省教育督导平台",
        "call": "",
        "network": "extranet",
        "action": "save",
        "period_months": "十二",
        "total_investment_yuan": "abc",
    }
    for prefix in ("data", "yearly", "funding", "participants", "levels"):
        data.update(management(prefix))
    data.update(
        {
            "data-0-name": "学籍信息",
            "data-0-sharing_type": "conditional",
            "data-0-provider": "省教育厅",
            "data-0-data_format": "库表",
            "data-0-update_cycle": "每日",
            "data-0-open_type": "closed",
            "funding-0-source": "provincial",
            "funding-0-amount_yuan": "-5",
        }
    )
    return data


def bad_change(s):
    return {
        "title": "",
        "reason": "",
        "ground": "optimisation",
        "action": "save",
        **management("items", 2, 0, 1),
        "items-0-from_content": "培训",
        "items-0-to_content": "",
        "items-0-amount_yuan": "abc",
    }


def project(key, name=None):
    return lambda s: reverse(name or "project", args=[s[key].pk])


def step(key, name, route="project_step"):
    return lambda s: reverse(route, args=[s[key].pk, name])


def same(value):
    return lambda s: value


def job_page(s):
    """The page of a finished background job of the bureau's 审核人 (issue 10)."""
    from projects import jobs
    from projects.models import User

    user = User.objects.get(username="bureau_reviewer")
    job = jobs.start("export.ledger", actor=user, title="项目台账（csv）", params={"format": "csv"})
    return reverse("job", args=[job.pk])


CASES = [
    Case("login", "anonymous", same(reverse("login"))),
    Case("login", "anonymous", same(reverse("login")), post=lambda s: {"username": "", "password": ""}),
    Case(
        "login", "anonymous", same(reverse("login")), post=lambda s: {"username": "nobody", "password": "x"}
    ),
    Case("home", "owner_preparer", same(reverse("home"))),
    # Two-factor sign-in (issue 9): the enrolment page, and its code refused (empty).
    Case("otp_setup", "owner_head", same(reverse("otp_setup"))),
    # Issue 12: a person's API token (api/web_views.py), and a POST it cannot act on.
    Case("api_token", "owner_preparer", same(reverse("api_token"))),
    Case(
        "api_token", "owner_preparer", same(reverse("api_token")), post=lambda s: {"action": "x"}, status=400
    ),
    Case(
        "otp_setup",
        "owner_head",
        same(reverse("otp_setup")),
        post=lambda s: {"action": "confirm", "token": ""},
        status=400,
    ),
    Case("home", "bureau_reviewer", same(reverse("home"))),
    Case("project_list", "bureau_reviewer", same(reverse("project_list"))),
    Case("project", "owner_preparer", project("building")),
    Case("project", "bureau_head", project("building")),
    Case("application_new", "owner_preparer", same(reverse("application_new"))),
    Case("application_new", "owner_preparer", same(reverse("application_new")), post=bad_application),
    Case("application_edit", "owner_preparer", project("draft", "application_edit")),
    # 办法第九条: the check lists each gap beside its field.
    Case(
        "application_edit",
        "owner_preparer",
        lambda s: reverse("application_edit", args=[s.incomplete.pk]) + "?check=1",
        refused=True,
    ),
    Case("application_edit", "owner_preparer", project("draft", "application_edit"), post=bad_application),
    Case("records_edit", "owner_preparer", project("building", "records_edit")),
    Case(
        "records_edit",
        "owner_preparer",
        project("building", "records_edit"),
        post=lambda s: {"platform_code": "2613-0"},
    ),
    Case("call_submit", "other_owner_head", same(reverse("call_submit", args=[2026])), day=(2025, 6, 25)),
    Case(
        "call_submit",
        "other_owner_head",
        same(reverse("call_submit", args=[2026])),
        post=lambda s: {"letter": ""},
        status=400,
        day=(2025, 6, 25),
    ),
    Case("call_submit", "owner_head", same(reverse("call_submit", args=[2026])), day=(2025, 6, 25)),
    Case(
        "call_amend",
        "owner_head",
        same(reverse("call_amend", args=[2026])),
        post=lambda s: {"letter": ""},
        status=400,
        day=(2025, 6, 25),
    ),
    Case("plan_list", "bureau_head", same(reverse("plan_list"))),
    # issue 10: the background jobs (web/job_views.py)
    Case("job_list", "bureau_reviewer", same(reverse("job_list"))),
    Case("job", "bureau_reviewer", job_page),
    # issue 12: the inbox and the notification settings (web/notification_views.py)
    Case("notification_inbox", "bureau_reviewer", same(reverse("notification_inbox"))),
    Case("notification_settings", "bureau_reviewer", same(reverse("notification_settings"))),
    Case(
        "notification_settings",
        "bureau_reviewer",
        same(reverse("notification_settings")),
        post=lambda s: {"email_kinds": ["nope"], "delivery": ""},
        status=400,
    ),
    Case("plan_open", "bureau_head", same(reverse("plan_open")), post=lambda s: {"year": "abc"}),
    Case("plan", "bureau_reviewer", same(reverse("plan", args=[2027]))),
    Case("plan_include", "bureau_reviewer", same(reverse("plan_include", args=[2027])), post=lambda s: {}),
    Case("project_step", "cac_reviewer", step("reviewing", "request_correction")),
    Case(
        "project_step",
        "cac_reviewer",
        step("reviewing", "request_correction"),
        post=lambda s: {"reason": ""},
        status=400,
    ),
    # 办法第十条: refused by a rule (the three opinions are missing), said as an alert.
    Case("project_step", "bureau_head", step("reviewing", "pass_review"), post=lambda s: {}, status=400),
    Case(
        "project_step",
        "bureau_head",
        step("building", "order_rectification"),
        post=lambda s: {"reason": "", "working_days": "-3"},
        status=400,
    ),
    Case("project_correct", "bureau_head", step("building", "approved_estimate_yuan", "project_correct")),
    Case(
        "project_correct",
        "bureau_head",
        step("building", "approved_estimate_yuan", "project_correct"),
        post=lambda s: {"approved_estimate_yuan": "abc", "reason": ""},
        status=400,
    ),
    Case("joint_review", "bureau_reviewer", project("reviewing", "joint_review")),
    Case("opinion_new", "cac_reviewer", project("reviewing", "opinion_new")),
    Case("opinion_new", "cac_reviewer", project("reviewing", "opinion_new"), post=lambda s: {}, status=400),
    # 办法第十条: 网信办's review page, and its opinion form posted empty.
    Case(
        "aspect_review", "cac_reviewer", lambda s: reverse("aspect_review", args=[s.reviewing.pk, "security"])
    ),
    Case(
        "aspect_review",
        "cac_reviewer",
        lambda s: reverse("aspect_review", args=[s.reviewing.pk, "security"]),
        post=lambda s: {},
        status=400,
    ),
    # Issue 12 item 4: the delegation page and its form posted empty.
    Case("delegations", "bureau_head", lambda s: reverse("delegations")),
    Case("delegations", "bureau_head", lambda s: reverse("delegations"), post=lambda s: {}, status=400),
    Case("change_new", "owner_preparer", project("building", "change_new")),
    Case("change_new", "owner_preparer", project("building", "change_new"), post=bad_change),
    Case("change", "owner_head", project("pending", "change")),
    # Issue 11 (web/draft_views.py): deleting a draft (a reason too long is refused beside its
    # field) and editing a change draft (an invalid post).
    Case("application_delete", "owner_preparer", project("incomplete", "application_delete")),
    Case(
        "application_delete",
        "owner_preparer",
        project("incomplete", "application_delete"),
        post=lambda s: {"reason": "长" * 501},
        status=400,
    ),
    Case("change_edit", "owner_preparer", project("change_draft", "change_edit")),
    Case(
        "change_edit", "owner_preparer", project("change_draft", "change_edit"), post=bad_change, status=400
    ),
    Case("change_step", "bureau_head", step("pending", "reject", "change_step")),
    Case(
        "change_step",
        "bureau_head",
        step("pending", "reject", "change_step"),
        post=lambda s: {"reason": ""},
        status=400,
    ),
    Case("plan_step", "bureau_head", same(reverse("plan_step", args=[2027, "submit_to_government"]))),
    Case(
        "plan_step",
        "bureau_head",
        same(reverse("plan_step", args=[2027, "submit_to_government"])),
        post=lambda s: {},
        status=400,
    ),
    Case("incident_new", "owner_preparer", project("building", "incident_new")),
    Case("contract_new", "owner_preparer", project("building", "contract_new")),
    Case(
        "contract_new", "owner_preparer", project("building", "contract_new"), post=lambda s: {}, status=400
    ),
    Case(
        "incident_new", "owner_preparer", project("building", "incident_new"), post=lambda s: {}, status=400
    ),
    Case("rectification_report", "owner_preparer", project("rectifying", "rectification_report")),
    Case(
        "rectification_report",
        "owner_preparer",
        project("rectifying", "rectification_report"),
        post=lambda s: {},
        status=400,
    ),
    Case("performance_report_new", "owner_preparer", project("building", "performance_report_new")),
    # 办法第九、三十三条: the targets page, blank and after an invalid target.
    Case("evaluation_targets", "owner_preparer", project("draft", "evaluation_targets")),
    Case(
        "evaluation_targets",
        "owner_preparer",
        project("draft", "evaluation_targets"),
        post=lambda s: {"action": "add", "add-indicator": "", "add-target_value": ""},
        status=400,
    ),
    Case(
        "performance_report_new",
        "owner_preparer",
        project("building", "performance_report_new"),
        post=lambda s: {"year": "abc"},
        status=400,
    ),
    Case("calendar_admin", "admin", same(reverse("calendar_admin"))),
    Case(
        "calendar_admin",
        "admin",
        same(reverse("calendar_admin")),
        post=lambda s: {"year": "2028", "source": "", "holidays": "2027-12-31 错", "workdays": ""},
        status=400,
    ),
    # The materials form of the project page, refused (no file): back on the page with the reason.
    Case(
        "documents:material_upload",
        "owner_preparer",
        project("building", "documents:material_upload"),
        post=lambda s: {"kind": "performance_report", "next": reverse("project", args=[s.building.pk])},
    ),
    Case("documents:application_import", "owner_preparer", same(reverse("documents:application_import"))),
    # 办法第八条: the bureau's call page, and its open form refused (year out of range).
    Case("call_list", "bureau_head", same(reverse("call_list"))),
    Case(
        "call_open",
        "bureau_head",
        same(reverse("call_open")),
        post=lambda s: {"year": "1999", "opens_on": "2026-02-30", "reason": ""},
        status=400,
    ),
    # 办法第十三条: the participating department's confirmation page.
    Case("participant_confirm", "other_owner_head", project("draft", "participant_confirm")),
    # 办法第三十四、三十六、三十九条 (web/supervision_views.py).
    Case("supervision", "bureau_reviewer", same(reverse("supervision"))),
    # Issue 12 item 7: the bureau's statistics, with its filters (web/stats_views.py).
    Case("statistics", "bureau_head", same(reverse("statistics"))),
    Case("finding_new", "cac_reviewer", same(reverse("finding_new"))),
    Case(
        "finding_new", "cac_reviewer", same(reverse("finding_new")), post=lambda s: {"system": ""}, status=400
    ),
    *(
        Case(view, persona, url, post=post, status=400 if post else 200)
        for view, persona, url in (
            ("finding", "cac_reviewer", lambda s: reverse("finding", args=[s.supervision["findings"][0].pk])),
            (
                "connectivity_exception",
                "bureau_reviewer",
                lambda s: reverse("connectivity_exception", args=[s.supervision["exceptions"][0].pk]),
            ),
            (
                "supervision_decision",
                "bureau_head",
                lambda s: reverse("supervision_decision", args=[s.supervision["decisions"][0].pk]),
            ),
        )
        for post in (None, lambda s: {"reason": "", "note": ""})
    ),
    Case("connectivity_exception_new", "owner_head", same(reverse("connectivity_exception_new"))),
    Case(
        "connectivity_exception_new",
        "owner_head",
        same(reverse("connectivity_exception_new")),
        post=lambda s: {"system": ""},
        status=400,
    ),
    Case("supervision_decision_new", "bureau_head", same(reverse("supervision_decision_new"))),
    Case(
        "supervision_decision_new",
        "bureau_head",
        same(reverse("supervision_decision_new")),
        post=lambda s: {"document_no": "", "decided_on": "2026-13-01"},
        status=400,
    ),
]

#: Views that show no page of their own: what they answer, and where it is checked.
NO_PAGE = {
    "logout": "signs out and redirects",
    "plan_exclude": "acts from the plan page and redirects back to it (checked as 'plan')",
    "plan_concur": "acts from the plan page and redirects back to it (checked as 'plan')",
    "documents:evidence_confirm": "acts from the project page and redirects back to it (as material_upload)",
    "documents:filing_generate": "a PDF, or back to the project page",
    "documents:plan_filing_generate": "queues the PDF and goes to its job page (checked as 'job')",
    "job_download": "a file, or the filing's download (tests/web/test_jobs.py)",
    "documents:material_download": "a file",
    "documents:filing_download": "a file",
    "documents:dossier": "a zip file",
    "documents:application_template": "a workbook",
    "exports:plan": "a workbook or CSV",
    "exports:ledger": "a workbook or CSV",
    "exports:overdue": "a workbook or CSV",
    "exports:joint_review_stats": "a workbook or CSV",
    "exports:progress": "a workbook or CSV (办法第十五条 进展填报)",
    "statistics_export": "a workbook",
    "call_extend": "acts from the call page and redirects back to it (checked as 'call_list')",
    "call_close": "acts from the call page and redirects back to it (checked as 'call_list')",
    "notification_read": "marks an entry read and redirects (checked as 'notification_inbox')",
    "notification_read_all": "marks the inbox read and redirects (checked as 'notification_inbox')",
    "notification_feed_token": "acts from the settings page and redirects back to it",
    "calendar_feed": "an iCalendar file (tests/projects/test_notify_flow.py)",
    "otp_verify": "shown only to an enrolled person, none here (checked in tests/web/test_otp_signin.py)",
    "emergency_review": "the scene has no 紧急纳入 request; the page, its form and its 404s are checked in "
    "tests/web/test_delegate_emergency_review.py (same template parts as aspect_review)",
    "delegation_change": "acts from the delegations page and redirects back to it (checked as 'delegations')",
    "delegation_end": "acts from the delegations page and redirects back to it (checked as 'delegations')",
}

# Issue 12: the REST API answers JSON, not pages (tests/api/).
NO_PAGE.update({f"api:{p.name}": "JSON of the REST API (tests/api/)" for p in api_urls.urlpatterns})

#: Django's own views: the admin (its forms are generated by Django) and the language switch.
NOT_OURS = ("admin:", "set_language")


def _views(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_view_is_checked():
    views = {name for name in _views() if not name.startswith(NOT_OURS)}
    checked = {case.view for case in CASES}
    assert views - set(NO_PAGE) == checked, (sorted(views - set(NO_PAGE) - checked), sorted(checked - views))
    assert not (checked & set(NO_PAGE))


def _case_id(case: Case) -> str:
    return f"{case.view}-{case.persona}-{'post' if case.post else 'get'}"


@pytest.mark.parametrize("case", CASES, ids=[f"{_case_id(c)}-{i}" for i, c in enumerate(CASES)])
def test_every_form_ties_its_labels_help_and_errors_to_its_inputs(case, world, db):
    scene, client = world["scene"], world["clients"][case.persona]
    with transaction.atomic():
        with at(*case.day) if case.day else contextlib.nullcontext():
            url = case.url(scene)
            if case.post is None:
                response = client.get(url)
            else:
                response = client.post(url, case.post(scene), follow=True)
        transaction.set_rollback(True)
    assert response.status_code == case.status, (url, response.status_code)
    html = response.content.decode()
    assert "<form" in html
    if case.post is not None or case.refused:
        assert shows_an_error(html), "the invalid POST shows no error: the case tests nothing"
    assert problems(html) == []


# ---------------------------------------------------------------- the checker itself


def test_the_checker_finds_what_is_missing():
    """Each rule of ``problems`` fails on a page that breaks it."""
    ok = (
        '<form><div class="field has-error"><label for="id_a">A</label>'
        '<input id="id_a" aria-invalid="true" aria-describedby="id_a_helptext id_a_error">'
        '<small id="id_a_helptext">help</small><div id="id_a_error"><p class="error">bad</p></div></div>'
        '<div role="alert"><p class="error">whole form</p></div>'
        '<label><input type="checkbox"> wrapped</label><input type="hidden" name="x">'
        '<template><input id="id_a" aria-describedby="nowhere"></template></form>'
    )
    assert problems(ok) == []
    assert shows_an_error(ok)
    broken = {
        "no label": ok.replace('<label for="id_a">A</label>', ""),
        "dangling help": ok.replace('<small id="id_a_helptext">', "<small>"),
        "error not tied": ok.replace('<div id="id_a_error">', "<div>"),
        "not aria-invalid": ok.replace(' aria-invalid="true"', ""),
        "non-field error without alert": ok.replace(' role="alert"', ""),
        "duplicate id": ok.replace(
            '<small id="id_a_helptext">help</small>',
            '<small id="id_a_helptext">help</small><span id="id_a_helptext"></span>',
        ),
    }
    for why, html in broken.items():
        assert problems(html), why
    invalid_without_text = (
        '<form><label for="b">B</label><input id="b" aria-invalid="true" '
        'aria-describedby="b_help"><small id="b_help">help</small></form>'
    )
    assert problems(invalid_without_text)
    assert not shows_an_error("<form><label for='c'>C</label><input id='c'></form>")
