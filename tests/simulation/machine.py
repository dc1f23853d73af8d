"""A year in a day (issue 14): the whole province driven at random, every rule checked after every
step.

``Province`` is a hypothesis ``RuleBasedStateMachine``. Each sequence starts from the province
of tests/simulation/world.py (inside a savepoint, rolled back at the end) on 2026-09-14 and
takes random steps: the simulated date moves on (across National Day and the Spring Festival,
into 2027 whose holidays are not known yet, until an administrator enters them); a randomly
chosen person — permitted or not — takes a step of the project, plan or change machines through
``lifecycle.services.perform`` (the path of the web pages), a sample of them through the step
page with the Django test client; people give opinions, upload materials, record contracts,
edit the compiling plan, draft and submit changes with boundary amounts (exactly 15 %
cumulative, one 分 above), enter a year's holidays, override 原则上 rules with a reason, and open
pages. After every step the machine compares the system with its own model
(tests/simulation/regulation.py, written from the 办法) — see ``docs/simulation.md`` for the
list of invariants.

``STATS`` accumulates what happened over all sequences (printed by ``make simulate``).
"""

from __future__ import annotations

import collections
import datetime
import os
import time
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core.formatting import wan
from core.timeutil import as_of
from documents import filings, services as documents
from documents.evidence import evidence_confirm
from documents.models import DocumentCounter, Filing
from lifecycle import chain, services
from lifecycle.contracts import contract_record
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, CalendarYear, ChangeRequest, Clock, ClockEvent, ClockUnit, Opinion
from projects import evaluation
from projects.models import AnnualPlan, Project, User, YearlyInvestment
from projects.plan import PlanExporter
from tests.projects.test_plan_tallies import expected as tallies_of_the_rows, kept as tallies_kept

from . import regulation as law
from .world import START

DAY = datetime.timedelta(days=1)
END = datetime.date(2028, 6, 30)
JOINT = ("intensive", "security", "crypto")
#: Days the simulated date may jump to: the edges of National Day 2026, the plan's 10月31日,
#: the turn of the year into 2027 (no schedule known yet), the Spring Festival 2027, the June call.
EDGES = [
    datetime.date(2026, 9, 30),
    datetime.date(2026, 10, 1),
    datetime.date(2026, 10, 8),
    datetime.date(2026, 10, 9),
    datetime.date(2026, 10, 31),
    datetime.date(2026, 11, 1),
    datetime.date(2026, 12, 31),
    datetime.date(2027, 1, 1),
    datetime.date(2027, 2, 5),
    datetime.date(2027, 2, 6),
    datetime.date(2027, 2, 14),
    datetime.date(2027, 2, 15),
    datetime.date(2027, 6, 1),
    datetime.date(2027, 6, 30),
]
ALL_PROJECT_STEPS = sorted(law.PROJECT_STEPS)
#: The steps sampled through the web page too (no step data to type: a reason at most).
HTTP_STEPS = {
    name
    for name in ALL_PROJECT_STEPS
    if name
    not in {
        "approve_fsr",
        "approve_design",
        "ratify",
        "start_construction",
        "complete_construction",
        "request_extension",
        "grant_extension",
        "accept",
        "go_live",
        "order_rectification",
        "suspend",
        "terminate",
        "submit_self_evaluation",
        "commission_post_evaluation",
        "finish_post_evaluation",
        "request_emergency",
    }
}
#: The materials, and the states in which a step needs them.
MATERIALS = {
    "fsr": ("in_plan",),
    "design": ("fsr_approved", "design_correcting"),
    "fsr_approval": ("fsr_approved", "design_correcting"),
    "archive_opinion": ("completed",),
    "crypto_assessment": ("completed",),
    "acceptance_report": ("accepted",),
    "secrecy_evaluation": ("completed", "acceptance_review"),
    "post_evaluation": ("post_evaluation",),
}
#: The states in which each preparation matters.
PREPARED = {
    "records": ("in_plan", "fsr_approved", "design_correcting"),
    "upload": tuple({s for states in MATERIALS.values() for s in states}),
    "contract": ("ratified", "construction"),
    "targets": ("operation",),
    "confirm": ("accepted", "completed", "acceptance_review"),
}
ENDED = {
    "withdrawn",
    "review_rejected",
    "not_included",
    "fsr_refused",
    "design_refused",
    "ratification_declined",
    "cancelled",
    "terminated",
    "closed",
}
LIVE = tuple(
    sorted(
        {
            s
            for step in law.PROJECT_STEPS.values()
            for t in (step if isinstance(step, tuple) else (step,))
            for s in t.sources
        }
        - ENDED
    )
)


class Stats:
    """What the runs did, over every sequence of the process."""

    def __init__(self) -> None:
        self.sequences = 0
        self.steps: collections.Counter = collections.Counter()
        self.outcomes: collections.Counter = collections.Counter()
        self.refusals: collections.Counter = collections.Counter()
        self.invariants: collections.Counter = collections.Counter()
        self.reasons: collections.Counter = collections.Counter()
        self.started = time.monotonic()

    def restart(self) -> None:
        self.started = time.monotonic()

    def summary(self) -> str:
        took = time.monotonic() - self.started
        lines = [
            f"sequences: {self.sequences}",
            f"steps: {sum(n for k, n in self.steps.items() if k != 'http')}",
            f"invariants checked: {sum(self.invariants.values())}",
            f"time: {took:.1f} s",
            "steps per kind (taken / refused):",
        ]
        for kind in sorted(self.steps):
            if kind in ("http", "page"):
                continue
            lines.append(f"  {kind}: {self.outcomes[kind, 'ok']} / {self.outcomes[kind, 'refused']}")
        lines.append(f"project steps taken through the step page (Django test client): {self.steps['http']}")
        lines.append(f"pages opened (GET, every person and anonymous): {self.steps['page']}")
        lines.append("refusals per article:")
        for article, n in self.refusals.most_common():
            lines.append(f"  {article or '(no article: data or permission of a service)'}: {n}")
        if os.environ.get("SIMULATION_SUMMARY") == "2":
            lines.append("most frequent refusals:")
            for (kind, code, message), n in self.reasons.most_common(60):
                lines.append(f"  {n:5d} {kind} [{code}] {message}")
        lines.append("invariants:")
        for name, n in sorted(self.invariants.items()):
            lines.append(f"  {name}: {n}")
        return "\n".join(lines)


STATS = Stats()


def _person(user) -> law.Person:
    return law.Person(user.pk, user.organisation.kind, user.organisation_id, user.role)


class Province(RuleBasedStateMachine):
    #: set by the test: the pks of world.build()
    world: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        STATS.sequences += 1
        self.today = START
        self.cal = law.Calendar()
        users = User.objects.select_related("organisation").in_bulk(list(self.world["people"].values()))
        self.people = {key: users[pk] for key, pk in self.world["people"].items()}
        self.persons = sorted(self.people.values(), key=lambda u: u.pk)
        self.client = Client()
        # The model: states and the facts the 办法 makes a step depend on, read once at the start.
        self.projects: dict[int, dict] = {}
        for p in Project.objects.order_by("pk"):
            self.projects[p.pk] = {
                "state": p.state,
                "owner": p.owner_id,
                "intranet": p.network == "intranet",
                "merged": p.merged_fsr_design,
                "post_evaluator": p.post_evaluator_id,
                "estimate": p.approved_estimate_yuan,
                "plan": p.plan_id,
                "year": p.year,
                "supervised": p.contracts.filter(kind="supervision").exists(),
            }
        self.opinions: dict[tuple[int, str], str] = {
            (o.project_id, o.aspect): o.conclusion for o in Opinion.objects.order_by("given_at", "pk")
        }
        self.plans = {
            plan.pk: {
                "state": plan.state,
                "year": plan.year,
                "concurred": plan.finance_concurred_by_id is not None,
                "members": set(plan.projects.values_list("pk", flat=True)),
            }
            for plan in AnnualPlan.objects.all()
        }
        self.changes: dict[int, dict] = {}
        self.audit_head = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.verified_pk, self.verified_hash = AuditEntry.objects.order_by("-pk").values_list(
            "pk", "row_hash"
        ).first() or (0, "")
        self.plan_signature: tuple = ()

    def teardown(self) -> None:
        try:
            verdict = chain.verify(AuditEntry)
            assert verdict.ok, verdict
            self._checked("whole audit trail verifies (end of sequence)")
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
            report = os.environ.get("SIMULATION_REPORT")
            if report:  # the figures so far, after every sequence (a long run may be stopped)
                with open(report, "w", encoding="utf-8") as out:
                    out.write(STATS.summary() + "\n")

    # ------------------------------------------------------------ helpers

    def _checked(self, name: str) -> None:
        STATS.invariants[name] += 1

    def _pick_project(self, d, states=()) -> int:
        """A project in one of ``states`` (most of the time, when there is one) or any."""
        fitting = [pk for pk, m in self.projects.items() if m["state"] in states]
        if fitting and d.draw(st.integers(0, 9), label="fitting?") < 8:
            return d.draw(st.sampled_from(fitting), label="project")
        return d.draw(st.sampled_from(sorted(self.projects)), label="project")

    def _pick_person(self, d, permitted) -> User:
        """A person the model permits (most of the time, when there is one) or anyone."""
        if permitted and d.draw(st.integers(0, 9), label="permitted?") < 7:
            return d.draw(st.sampled_from(permitted), label="who")
        return d.draw(st.sampled_from(self.persons), label="who")

    def _resolver(self, p: dict | None, change: dict | None = None):
        def resolve(kind):
            if kind == "owner":
                return "owner", (p["owner"] if p else None)
            if kind == "design":
                return ("intranet" if p["intranet"] else "bureau"), None
            if kind == "commissioned":
                return "expert", p["post_evaluator"] or -1
            if kind == "approver":
                # 办法第二十八条: beyond 备案, the body that approved the 概算 decides a change over
                # it (省发改委 for a merged FSR 第十七条, else the design approver 第十八条); a
                # change of content within it goes to the bureau (第四条: 项目立项, 初步设计).
                if change and change["over_estimate"]:
                    return ("drc" if p["merged"] else ("intranet" if p["intranet"] else "bureau")), None
                return "bureau", None
            return kind, None

        return resolve

    def _permitted(self, table, name, state, resolve) -> list[User]:
        return [
            u
            for u in self.persons
            if law.judge(table, name, state, _person(u), resolve=resolve).outcome in ("ok", "via")
        ]

    def _new_rows(self) -> list[AuditEntry]:
        rows = list(AuditEntry.objects.filter(pk__gt=self.audit_head).order_by("pk"))
        if rows:
            self.audit_head = rows[-1].pk
        return rows

    def _attempt(self, kind: str, call):
        """Run ``call`` on the simulated day; (error or None, new audit rows)."""
        STATS.steps[kind] += 1
        error = None
        try:
            with as_of(self.today):
                call()
        except RuleViolation as exc:
            error = exc
        rows = self._new_rows()
        if error is None:
            STATS.outcomes[kind, "ok"] += 1
        else:
            STATS.outcomes[kind, "refused"] += 1
            STATS.refusals[error.article] += 1
            STATS.reasons[kind, error.code, error.message[:70]] += 1
            # a refused step leaves no trace in the audit trail
            assert not rows, f"{kind} refused ({error}) but wrote {[r.action for r in rows]}"
            self._checked("refused step writes no audit row")
        return error, rows

    def _transition(self, kind, table, obj, name, actor, verdict, before, target, rows, error, override):
        """The invariants of one transition attempt (project, plan or change)."""
        self._checked("outcome matches the model")
        if verdict.outcome != "ok":
            assert error is not None, (
                f"{kind} {name} by {actor} in {before}: the model refuses ({verdict.outcome})"
            )
            assert error.code == verdict.outcome, (
                f"{kind} {name} by {actor.username} in {before}: refused as {error.code}, "
                f"the model says {verdict.outcome} ({error})"
            )
            assert error.article.startswith("第"), f"refusal without an article: {error}"
            self._checked("refusal names its article")
            return False
        if error is not None:
            assert error.code not in ("state", "permission", "via"), (
                f"{kind} {name} by {actor.username} in {before}: refused as {error.code} although the "
                f"model allows it ({error})"
            )
            return False
        # one audit row for the step, first, naming the step, the person and the states
        step_rows = [r for r in rows if r.action == name and r.object_id == str(obj.pk)]
        assert len(step_rows) == 1, (
            f"{name}: {len(step_rows)} audit rows for the step ({[r.action for r in rows]})"
        )
        row = rows[0]
        assert row.action == name and row.actor_id == actor.pk, (row.action, row.actor_id)
        assert (row.from_state, row.to_state) == (before, target), (
            row.from_state,
            row.to_state,
            before,
            target,
        )
        if row.override:
            # 原则上 rules: only a head of an organisation that may take the step, with a reason
            assert actor.role == "head" and override.strip() and row.reason == override
            self._checked("override only by a head with a reason")
        self._checked("one audit row per successful step")
        return True

    # ------------------------------------------------------------ time and the calendar

    @rule(d=st.data())
    def advance(self, d) -> None:
        """The date moves on: a few days, weeks, or to the edge of a holiday or a window."""
        later = [e for e in EDGES if e > self.today]
        choice = d.draw(st.integers(0, 3), label="how")
        if choice == 3 and later:
            self.today = d.draw(st.sampled_from(later), label="to")
        else:
            days = d.draw(st.integers(1, 3) if choice < 2 else st.integers(4, 45), label="days")
            self.today = min(self.today + datetime.timedelta(days=days), END)

    @rule(d=st.data())
    def enter_calendar(self, d) -> None:
        """An administrator (or someone else) enters a year's official schedule: random weekday
        holidays and weekend make-up days — the next year, or a correction of a known one."""
        year = d.draw(st.sampled_from([2027, 2027, 2028, 2026]), label="year")
        days = [datetime.date(year, 1, 1) + datetime.timedelta(days=i) for i in range(365)]
        weekdays = [x for x in days if x.weekday() < 5]
        weekends = [x for x in days if x.weekday() >= 5]
        off = d.draw(st.sets(st.sampled_from(weekdays), max_size=12), label="holidays")
        on = d.draw(st.sets(st.sampled_from(weekends), max_size=5), label="workdays")
        if year == 2027 and d.draw(st.booleans(), label="spring festival"):
            off |= {datetime.date(2027, 2, n) for n in range(8, 13)}  # 春节 2027 (Feb 6–14)
            on |= {datetime.date(2027, 2, 20)}
        admin = self.people["admin"] if d.draw(st.integers(0, 4), label="admin?") else None
        actor = admin or d.draw(st.sampled_from(self.persons), label="who")
        error, _rows = self._attempt(
            "calendar.enter",
            lambda: services.calendar_year_enter(
                year,
                actor=actor,
                holidays=dict.fromkeys(off, "节日"),
                workdays=dict.fromkeys(on, "调休上班"),
                source="国务院办公厅通知",
            ),
        )
        self._checked("outcome matches the model")
        if actor.role == "admin":
            assert error is None, error
            self.cal.enter(year, off, on)
        else:
            assert error is not None, f"{actor.username} entered the calendar"

    # ------------------------------------------------------------ project steps

    def _step_data(self, d, name: str, p: Project) -> dict:
        """Well-typed data for the step, with days at the edges (today, yesterday, tomorrow)."""
        today = self.today
        day = d.draw(st.sampled_from([today, today, today - DAY, today - 30 * DAY, today + DAY]), label="day")
        base = p.approved_estimate_yuan or p.fsr_estimate_yuan or p.total_investment_yuan
        factor = d.draw(st.sampled_from(["1", "1", "0.9", "1.2", "1.0000001"]), label="factor")
        amount = (base * Decimal(factor)).quantize(Decimal("0.01"))
        no = f"黑测〔{today.year}〕{p.pk}号"
        good = "建设目标全部实现，运行稳定。"
        later = today + datetime.timedelta(days=d.draw(st.sampled_from([1, 90, 200]), label="later"))
        return {
            "approve_fsr": lambda: {
                "fsr_approval_no": no,
                "fsr_estimate_yuan": amount,
                **(
                    {"preliminary_work_depth": "已完成需求调研和设备询价，达到初步设计深度。"}
                    if p.merged_fsr_design
                    else {}
                ),
            },
            "approve_design": lambda: {
                "design_approval_no": no,
                "approved_estimate_yuan": amount,
                "design_evaluation": "experts",
            },
            "ratify": lambda: {
                "ratification_no": no,
                "ratified_on": day,
                "decided_amount_yuan": amount,
                "decided_funding_source": "省级财政资金",
            },
            "start_construction": lambda: {"construction_started_on": day},
            "complete_construction": lambda: {"completed_on": day, "surplus_returned_yuan": Decimal("0.00")},
            "request_extension": lambda: {"requested_due_on": later},
            "grant_extension": lambda: {"granted_due_on": later},
            "accept": lambda: {"accepted_on": day},
            "go_live": lambda: {"went_live_on": day},
            "order_rectification": lambda: {
                "working_days": d.draw(st.sampled_from([1, 20, 250, 251]), label="wd")
            },
            "suspend": lambda: {"suspension_no": no},
            "terminate": lambda: {"termination_no": no},
            "submit_self_evaluation": lambda: {"self_evaluation_grade": "good", "self_evaluation": good},
            "commission_post_evaluation": lambda: {
                "post_evaluator": d.draw(
                    st.sampled_from(
                        [self.people["expert_head"].organisation, self.people["drc_head"].organisation]
                    ),
                    label="evaluator",
                )
            },
            "finish_post_evaluation": lambda: {"post_evaluation_grade": "good", "post_evaluation": good},
        }.get(name, dict)()

    def _choose_step(self, d, table, state) -> str:
        names = sorted(table)
        here = [n for n in names if any(state in s.sources for s in law._steps(table, n))]
        if here and d.draw(st.integers(0, 9), label="from here?") < 8:
            return d.draw(st.sampled_from(here), label="step")
        return d.draw(st.sampled_from(names), label="step")

    @rule(d=st.data())
    def project_step(self, d) -> None:
        pk = self._pick_project(d, LIVE)
        m = self.projects[pk]
        name = self._choose_step(d, law.PROJECT_STEPS, m["state"])
        resolve = self._resolver(m)
        actor = self._pick_person(d, self._permitted(law.PROJECT_STEPS, name, m["state"], resolve))
        verdict = law.judge(law.PROJECT_STEPS, name, m["state"], _person(actor), resolve=resolve)
        project = Project.objects.get(pk=pk)
        data = self._step_data(d, name, project)
        reason = d.draw(
            st.sampled_from(["依据办法有关规定办理。", "依据办法有关规定办理。", "", "   "]), label="reason"
        )
        override = d.draw(st.sampled_from(["", "", "省政府常务会议决定，确需例外办理。"]), label="override")
        target = verdict.target
        if name == "approve_fsr" and m["merged"]:
            target = "approval_complete"  # 办法第十七条: the merged approval completes the approvals
        expected_refusal = self._model_guard(name, pk, m)
        via_http = name in HTTP_STEPS and d.draw(st.integers(0, 5), label="http?") == 0
        before = m["state"]
        if via_http:
            error, rows = self._http_step(project, name, actor, reason, override)
        else:
            error, rows = self._attempt(
                f"project.{name}",
                lambda: services.perform(
                    project, name, actor=actor, reason=reason, override_reason=override, **data
                ),
            )
        if error is None and expected_refusal:
            raise AssertionError(f"{name} on {pk} succeeded although {expected_refusal}")
        if expected_refusal:
            self._checked("model guard refuses")
        if self._transition(
            "project", law.PROJECT_STEPS, project, name, actor, verdict, before, target, rows, error, override
        ):
            m["state"] = target
            self._after_project_step(pk, name, data)

    @rule(d=st.data())
    def project_step_again(self, d) -> None:
        """The steps of projects are most of what the province does: twice the weight."""
        self.project_step(d)

    @rule(d=st.data())
    def project_step_third(self, d) -> None:
        self.project_step(d)

    def _model_guard(self, name: str, pk: int, m: dict) -> str:
        """A refusal the model predicts from the facts it tracks itself ("" = none predicted)."""
        if name == "pass_review" and any(self.opinions.get((pk, a)) != "approve" for a in JOINT):
            return "办法第十条: not all three opinions are favourable"
        if name == "reject_review" and any((pk, a) not in self.opinions for a in JOINT):
            return "办法第十条: an opinion is missing"
        if name == "start_construction" and not m["supervised"]:
            return "办法第二十四条: no 监理 contract"
        return ""

    def _after_project_step(self, pk: int, name: str, data: dict) -> None:
        m = self.projects[pk]
        if name == "approve_design" or (name == "approve_fsr" and m["merged"]):
            m["estimate"] = data.get("approved_estimate_yuan") or data.get("fsr_estimate_yuan")
        if name == "commission_post_evaluation":
            m["post_evaluator"] = data["post_evaluator"].pk
        if name == "request_emergency":
            # 办法第十二条: asks to enter the approved plan of this year
            plan = next((k for k, v in self.plans.items() if v["year"] == self.today.year), None)
            m["plan"] = plan
            if plan is not None:
                self.plans[plan]["members"].add(pk)

    def _http_step(self, project, name, actor, reason, override):
        """The same step through its page (web/step_views.py): the view, its form and the service."""
        kind = f"project.{name}"
        STATS.steps[kind] += 1
        STATS.steps["http"] += 1
        before = project.state
        self.client.force_login(actor)
        self._new_rows()  # the sign-in's own audit row is not the step's
        with as_of(self.today):
            response = self.client.post(
                reverse("project_step", args=[project.pk, name]),
                {"reason": reason, "override_reason": override},
            )
        assert response.status_code < 500, f"{name} page answered {response.status_code}"
        self._checked("no page answers 500")
        # the access log's rows (a refused page is logged as auth.denied) are not steps
        rows = [r for r in self._new_rows() if not r.action.startswith("auth.")]
        after = Project.objects.values_list("state", flat=True).get(pk=project.pk)
        if after == before and not any(r.action == name for r in rows):
            STATS.outcomes[kind, "refused"] += 1
            assert not rows, f"{name} refused on its page but wrote {[r.action for r in rows]}"
            t, _possible = services.transition_of(project, name)
            # the page refused: find why, as the service would say it
            try:
                services._check(project, name, actor, reason=reason, override_reason=override)
                why = RuleViolation("refused by the form", code="form", article=t.custom["article"])
            except RuleViolation as exc:
                why = exc
            STATS.refusals[why.article] += 1
            return why, rows
        STATS.outcomes[kind, "ok"] += 1
        return None, rows

    # ------------------------------------------------------------ what makes steps possible

    @rule(d=st.data())
    def opinion(self, d) -> None:
        """An agency gives its opinion (办法第十、十二、二十九条), by its reviewer — or by someone else."""

        aspect = d.draw(
            st.sampled_from(
                [
                    *JOINT,
                    *JOINT,
                    "bureau_emergency",
                    "finance_emergency",
                    "cac_emergency",
                    "crypto_emergency",
                    "cac_acceptance",
                    "crypto_acceptance",
                    "drc_acceptance",
                    "police_acceptance",
                    "secrecy_acceptance",
                ]
            ),
            label="aspect",
        )
        org = {"intensive": "bureau", "security": "cac", "crypto": "crypto"}.get(aspect, aspect.split("_")[0])
        stage = (
            ("joint_review",)
            if aspect in JOINT
            else ("emergency_requested",)
            if aspect.endswith("emergency")
            else ("acceptance_review",)
        )
        pk = self._pick_project(d, stage)
        right = [u for u in self.persons if u.organisation.kind == org and u.role in ("reviewer", "head")]
        actor = self._pick_person(d, right)
        conclusion = d.draw(
            st.sampled_from(["approve", "approve", "approve", "reject", "not_applicable"]), label="c"
        )
        project = Project.objects.get(pk=pk)
        error, rows = self._attempt(
            "opinion",
            lambda: services.opinion_give(
                project, actor=actor, aspect=aspect, conclusion=conclusion, text="审核意见。"
            ),
        )
        self._checked("outcome matches the model")
        if actor.organisation.kind != org or actor.role not in ("reviewer", "head"):
            assert error is not None, f"{actor.username} gave the {aspect} opinion"
        if error is None:
            assert rows and rows[0].action == "opinion.given"
            self.opinions[pk, aspect] = conclusion

    @rule(d=st.data())
    def prepare(self, d) -> None:
        """The department readies what a step needs: the platform code and sharing chapters
        (第十五、十六条, on the records page), a material, a 监理 contract (第二十四条), the
        performance targets (第三十三条); 保密办 its evaluation; the bureau confirms a report."""

        what = d.draw(st.sampled_from(["records", "upload", "contract", "targets", "confirm"]), label="what")
        pk = self._pick_project(d, PREPARED[what])
        p = Project.objects.get(pk=pk)
        owner = lambda role: p.owner.members.get(role=role)  # noqa: E731
        if what == "records":
            p.platform_code = p.platform_code or f"{self.today:%y%m}-230000-04-01-{p.pk:06d}"
            p.fsr_sharing_chapter = p.design_sharing_chapter = True
            p.save()
            return
        if what == "upload":
            wanted = [k for k, states in MATERIALS.items() if self.projects[pk]["state"] in states]
            kind = d.draw(st.sampled_from(wanted or list(MATERIALS)), label="material")
            who = self._pick_person(
                d,
                [self.people["secrecy_reviewer"]]
                if kind == "secrecy_evaluation"
                else [self.people["expert_reviewer"]]
                if kind == "post_evaluation"
                else [owner("preparer")],
            )
            body = f"%PDF-1.4\n% {p.pk} {kind}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
            error, rows = self._attempt(
                "upload",
                lambda: documents.material_upload(
                    p,
                    actor=who,
                    kind=kind,
                    upload=SimpleUploadedFile(f"{kind}.pdf", body),
                    issued_on=self.today - DAY,
                    issuing_body="黑龙江省有关单位",
                ),
            )
            if error is None:
                assert rows, "an upload writes its audit row"
                self._checked("one audit row per successful step")
            return
        if what == "contract":
            who = self._pick_person(d, [owner("preparer"), owner("head")])
            kind = d.draw(st.sampled_from(["supervision", "construction"]), label="contract")
            amount = (p.decided_amount_yuan or p.total_investment_yuan) * Decimal("0.03")
            error, rows = self._attempt(
                "contract",
                lambda: contract_record(
                    p,
                    actor=who,
                    kind=kind,
                    procurement_method="open_tender",
                    supplier="黑龙江省信息工程监理有限公司",
                    number=f"HT-{self.today:%Y%m%d}-{p.pk}-{kind}",
                    amount_yuan=amount.quantize(Decimal("0.01")),
                    signed_on=self.today,
                    ip_clause=True,
                ),
            )
            self._checked("outcome matches the model")
            if who.organisation_id != p.owner_id:
                assert error is not None, f"{who.username} recorded a contract of another department"
            if error is None:
                assert rows
                if kind == "supervision":
                    self.projects[pk]["supervised"] = True
            return
        if what == "targets":
            who = self._pick_person(d, [owner("preparer")])
            target = p.targets.filter(reported_at__isnull=True).first()
            if target is None:
                self._attempt(
                    "target.add",
                    lambda: evaluation.target_add(p, actor=who, indicator="数据共享率", target_value="≥95%"),
                )
            else:
                self._attempt(
                    "target.report",
                    lambda: evaluation.target_report(
                        target, actor=who, achieved_value="96%", explanation="按期完成。"
                    ),
                )
            return
        kind = d.draw(st.sampled_from(["acceptance_report", "secrecy_evaluation"]), label="evidence")
        who = self._pick_person(d, [self.people["bureau_reviewer"], self.people["secrecy_reviewer"]])
        self._attempt("confirm", lambda: evidence_confirm(p, kind, actor=who))

    # ------------------------------------------------------------ the annual plan (第十一、十二条)

    @rule(d=st.data())
    def plan_edit(self, d) -> None:
        """The bureau includes or removes a project of the compiling plan; 财政厅 concurs."""
        plan_pk = d.draw(st.sampled_from(sorted(self.plans)), label="plan")
        mp = self.plans[plan_pk]
        plan = AnnualPlan.objects.get(pk=plan_pk)
        pk = self._pick_project(d, ("review_passed",) if mp["state"] == "compiling" else ())
        m = self.projects[pk]
        project = Project.objects.get(pk=pk)
        what = d.draw(st.sampled_from(["include", "include", "exclude", "concur"]), label="what")
        bureau = [
            u for u in self.persons if u.organisation.kind == "bureau" and u.role in ("reviewer", "head")
        ]
        if what == "concur":
            actor = self._pick_person(d, [self.people["finance_head"]])
            error, _rows = self._attempt(
                "plan.concur", lambda: services.plan_finance_concur(plan, actor=actor)
            )
            allowed = (
                actor.organisation.kind == "finance" and actor.role == "head" and mp["state"] == "compiling"
            )
            if error is None:
                mp["concurred"] = True
        else:
            actor = self._pick_person(d, bureau)
            call = services.plan_include if what == "include" else services.plan_exclude
            error, _rows = self._attempt(f"plan.{what}", lambda: call(plan, project, actor=actor))
            staff = actor in bureau and mp["state"] == "compiling"
            if what == "include":
                # 办法第七、十一条: only an application of the plan's year that passed the joint review
                allowed = staff and m["state"] == "review_passed" and m["year"] == mp["year"]
            else:
                # only a project of this plan leaves it
                allowed = staff and pk in mp["members"]
            if error is None:
                for other in self.plans.values():
                    other["members"].discard(pk)
                if what == "include":
                    mp["members"].add(pk)
                m["plan"] = plan_pk if what == "include" else None
        self._checked("outcome matches the model")
        if not allowed:
            assert error is not None, (
                f"plan {what} of project {pk} ({m['state']}) by {actor.username} succeeded"
            )

    @rule(d=st.data())
    def plan_step(self, d) -> None:
        open_plans = sorted(pk for pk, mp in self.plans.items() if mp["state"] != "issued")
        if open_plans and d.draw(st.integers(0, 9), label="open plan?") < 8:
            plan_pk = d.draw(st.sampled_from(open_plans), label="plan")
        else:
            plan_pk = d.draw(st.sampled_from(sorted(self.plans)), label="plan")
        mp = self.plans[plan_pk]
        name = self._choose_step(d, law.PLAN_STEPS, mp["state"])
        resolve = self._resolver(None)
        actor = self._pick_person(d, self._permitted(law.PLAN_STEPS, name, mp["state"], resolve))
        verdict = law.judge(law.PLAN_STEPS, name, mp["state"], _person(actor), resolve=resolve)
        plan = AnnualPlan.objects.get(pk=plan_pk)
        day = d.draw(st.sampled_from([self.today, self.today - DAY, self.today + DAY]), label="day")
        data = {
            "approve": {"approval_no": f"黑政函〔{self.today.year}〕{plan.year % 100}号", "approved_on": day},
            "issue": {"document_no": f"黑营商发〔{self.today.year}〕{plan.year % 100}号"},
        }.get(name, {})
        reason = d.draw(st.sampled_from(["请补充资金来源说明。", ""]), label="reason")
        expected = ""
        if name == "submit_to_government" and (not mp["concurred"] or not mp["members"]):
            expected = "办法第十一条: 财政厅 has not concurred or the plan is empty"
        before = mp["state"]
        error, rows = self._attempt(
            f"plan.{name}", lambda: services.perform(plan, name, actor=actor, reason=reason, **data)
        )
        if expected:
            assert error is not None, f"{name} succeeded although {expected}"
            self._checked("model guard refuses")
        if self._transition(
            "plan", law.PLAN_STEPS, plan, name, actor, verdict, before, verdict.target, rows, error, ""
        ):
            mp["state"] = verdict.target
            if name == "approve":
                # 办法第十一条: the approval moves the plan's projects in and closes the others
                for pk, m in self.projects.items():
                    if m["state"] == "review_passed" and m["year"] == mp["year"]:
                        m["state"] = "in_plan" if pk in mp["members"] else "not_included"

    # ------------------------------------------------------------ changes (第二十八条)

    @rule(d=st.data())
    def change_create(self, d) -> None:
        pk = self._pick_project(d, ("construction", "rectification"))
        m = self.projects[pk]
        project = Project.objects.get(pk=pk)
        owner_staff = [
            u for u in self.persons if u.organisation_id == m["owner"] and u.role in ("preparer", "head")
        ]
        actor = self._pick_person(d, owner_staff)
        baseline, filed = self._baseline(pk)
        # boundary amounts: exactly 15 % cumulative, one 分 above, well within, the whole
        amount = None
        if baseline:
            room = baseline * law.FILING_LIMIT - filed
            amount = d.draw(
                st.sampled_from([room, room + Decimal("0.01"), baseline * Decimal("0.05"), baseline]),
                label="amount",
            ).quantize(Decimal("0.01"))
        if not amount or amount <= 0:
            amount = Decimal("10000.00")
        new_total = d.draw(
            st.sampled_from([None, None, baseline, (baseline or Decimal(1)) + Decimal("0.01")]), label="total"
        )
        goals = d.draw(st.sampled_from([True, True, False]), label="goals")
        ground = d.draw(st.sampled_from(["deployment", "optimisation", "business", ""]), label="ground")
        made = []
        error, _rows = self._attempt(
            "change.create",
            lambda: made.append(
                services.change_create(
                    project,
                    actor=actor,
                    items=[{"from_content": "原建设内容", "to_content": "调整后内容", "amount_yuan": amount}],
                    title="调整建设内容",
                    reason="根据业务发展需要调整。",
                    ground=ground,
                    goals_unchanged=goals,
                    **({"new_total_yuan": new_total} if new_total else {}),
                )
            ),
        )
        self._checked("outcome matches the model")
        allowed = actor in owner_staff and m["state"] in ("construction", "rectification") and baseline
        if not allowed:
            assert error is not None, f"change of {pk} in {m['state']} by {actor.username} accepted"
        if error is None:
            change = made[0]
            self.changes[change.pk] = {
                "state": "draft",
                "project": pk,
                "moved": amount,
                "new_total": change.new_total_yuan,
                "goals": goals,
                "ground": ground,
                "over_estimate": False,
                "submitted": None,
                "decided": None,
            }

    def _baseline(self, pk: int) -> tuple[Decimal | None, Decimal]:
        """办法第二十八条: the approved total (the last approved change's new total, else the 概算) and
        the money moved by changes filed since that approval (累计)."""
        mine = [c for c in self.changes.values() if c["project"] == pk]
        approved = [c for c in mine if c["state"] == "approved"]
        last = max(approved, key=lambda c: c["decided"]) if approved else None
        baseline = last["new_total"] if last else self.projects[pk]["estimate"]
        filed = sum(
            (
                c["moved"]
                for c in mine
                if c["state"] == "filed" and (last is None or c["submitted"] > last["decided"])
            ),
            Decimal("0"),
        )
        return baseline, filed

    @precondition(lambda self: self.changes)
    @rule(d=st.data())
    def change_step(self, d) -> None:
        cpk = d.draw(st.sampled_from(sorted(self.changes)), label="change")
        c = self.changes[cpk]
        p = self.projects[c["project"]]
        name = self._choose_step(d, law.CHANGE_STEPS, c["state"])
        resolve = self._resolver(p, c)
        actor = self._pick_person(d, self._permitted(law.CHANGE_STEPS, name, c["state"], resolve))
        verdict = law.judge(law.CHANGE_STEPS, name, c["state"], _person(actor), resolve=resolve)
        target = verdict.target
        route = ratio = None
        if name == "submit":
            baseline, filed = self._baseline(c["project"])
            route, ratio = law.change_route(
                baseline=baseline,
                filed_since=filed,
                moved=c["moved"],
                new_total=c["new_total"],
                goals=c["goals"],
                ground=c["ground"],
            )
            target = "filed" if route == "filing" else "pending_approval"
        change = ChangeRequest.objects.get(pk=cpk)
        reason = d.draw(st.sampled_from(["超出备案范围，不予批准。", ""]), label="reason")
        before = c["state"]
        error, rows = self._attempt(
            f"change.{name}", lambda: services.perform(change, name, actor=actor, reason=reason)
        )
        if self._transition(
            "change", law.CHANGE_STEPS, change, name, actor, verdict, before, target, rows, error, ""
        ):
            change.refresh_from_db()
            c["state"] = target
            if name == "submit":
                c["submitted"] = change.submitted_at
                c["over_estimate"] = c["new_total"] > baseline
                # the cumulative ratio and the 备案/approval routing of 办法第二十八条
                assert change.ratio == ratio.quantize(Decimal("0.000001")), (change.ratio, ratio)
                assert change.over_estimate == c["over_estimate"]
                self._checked("change ratio and routing match the model")
            if name in ("approve", "reject"):
                c["decided"] = change.decided_at

    # ------------------------------------------------------------ filings (文书)

    @rule(d=st.data())
    def filing(self, d) -> None:
        """Someone issues a filing the project page offers them (documents/filings.py): a letter
        after its step, with its 发文字号 (rendered to PDF: the slowest step, so drawn rarely)."""
        if d.draw(st.integers(0, 3), label="filing now?"):
            return
        pk = d.draw(st.sampled_from(sorted(self.projects)), label="project")
        project = Project.objects.get(pk=pk)
        who = d.draw(st.sampled_from(self.persons), label="who")
        with as_of(self.today):
            offered = [a for a in filings.actions_for(who, project) if a["mode"] == "issue"]
        if not offered:
            return
        action = d.draw(st.sampled_from(offered), label="filing")
        self._attempt(
            "filing",
            lambda: filings.generate(
                action["kind"], actor=who, project=project, object_id=action["object_id"] or None
            ),
        )

    @invariant()
    def filings_numbered_and_stepped(self) -> None:
        """Every issued filing's number is unique and gap-free per organisation and year, and
        every filing records a step that really happened (its audit row, of its project, one of
        the steps its kind is issued after)."""
        numbers = collections.defaultdict(list)
        for filing in Filing.objects.select_related("step_entry").order_by("pk"):
            if filing.number is not None:
                numbers[filing.issuer_id, filing.year].append(filing.number)
            entry = filing.step_entry
            if entry is not None:
                assert filing.project_id is None or entry.project_id == filing.project_id, filing.pk
                assert entry.action in filings.SPECS[filing.kind].steps, (filing.kind, entry.action)
            self._checked("filing records a step that happened")
        counters = {(c.organisation_id, c.year): c.last_number for c in DocumentCounter.objects.all()}
        for key, issued in numbers.items():
            assert sorted(issued) == list(range(1, len(issued) + 1)), (key, issued)
            assert counters.get(key) == len(issued), (key, counters.get(key), issued)
            self._checked("filing numbers unique and gap-free")

    # ------------------------------------------------------------ pages

    @rule(d=st.data())
    def visit(self, d) -> None:
        """A person opens a page of the project; none answers 500."""
        who = d.draw(st.sampled_from([*self.persons, None]), label="who")
        pk = d.draw(st.sampled_from(sorted(self.projects)), label="project")
        year = d.draw(st.sampled_from([2026, 2027, 2028]), label="year")
        url = d.draw(
            st.sampled_from(
                [
                    reverse("home"),
                    reverse("project_list"),
                    reverse("project", args=[pk]),
                    reverse("joint_review", args=[pk]),
                    reverse("plan_list"),
                    reverse("plan", args=[year]),
                    reverse("change_new", args=[pk]),
                    reverse("contract_new", args=[pk]),
                    reverse("project_step", args=[pk, d.draw(st.sampled_from(ALL_PROJECT_STEPS), label="s")]),
                    *([reverse("change", args=[min(self.changes)])] if self.changes else []),
                ]
            ),
            label="url",
        )
        self.client.logout()
        if who is not None:
            self.client.force_login(who)
        self._new_rows()  # signing in and out writes its own audit rows
        STATS.steps["page"] += 1
        with as_of(self.today):
            response = self.client.get(url)
        self._new_rows()  # a page may record that it was read (not a step)
        assert response.status_code < 500, f"{url} as {who} answered {response.status_code}"
        self._checked("no page answers 500")

    # ------------------------------------------------------------ invariants after every step

    @invariant()
    def first_due_is_the_earliest_running_deadline(self) -> None:
        """Issue 10: the column the home queues are sorted by (``Project.first_due``) is, for
        every project after every step, the earliest (extended) deadline of its running clocks
        — counted here from the clocks themselves."""
        earliest: dict[int, datetime.date] = {}
        for project_id, due, extended in Clock.objects.filter(
            project__isnull=False, stopped_on__isnull=True
        ).values_list("project_id", "due_on", "extended_to"):
            day = extended or due
            earliest[project_id] = min(day, earliest.get(project_id, day))
        for pk, first_due in Project.objects.values_list("pk", "first_due"):
            assert first_due == earliest.get(pk), (
                f"project {pk}: first_due {first_due}, clocks {earliest.get(pk)}"
            )
        self._checked("first_due is the earliest running deadline")

    @invariant()
    def plan_tallies_are_the_sums_of_the_rows(self) -> None:
        """Issue 10: the plan's counts and sums kept by the database's triggers
        (projects/models_tally.py) are, after every step, those of the projects and funding
        lines themselves (summed here in exact decimals)."""
        assert tallies_kept() == tallies_of_the_rows()
        self._checked("plan tallies are the sums of the rows")

    @invariant()
    def states_match_the_model(self) -> None:
        db = dict(Project.objects.values_list("pk", "state"))
        for pk, m in self.projects.items():
            assert db[pk] == m["state"], f"project {pk}: {db[pk]} in the system, {m['state']} in the model"
        for pk, state in AnnualPlan.objects.values_list("pk", "state"):
            assert self.plans[pk]["state"] == state, (pk, state)
        for pk, state in ChangeRequest.objects.values_list("pk", "state"):
            assert self.changes[pk]["state"] == state, (pk, state)
        self._checked("states match the model")

    @invariant()
    def clocks_count_working_days(self) -> None:
        """Every running working-day clock is due on the day an independent count over the
        official calendar gives, provisional exactly when the count crosses an unknown year."""
        pauses: dict[int, list] = collections.defaultdict(list)
        for clock_id, kind, on in (
            ClockEvent.objects.filter(clock__stopped_on__isnull=True, kind__in=("paused", "resumed"))
            .order_by("pk")
            .values_list("clock_id", "kind", "on")
        ):
            pauses[clock_id].append((kind, on))
        for clock in Clock.objects.filter(stopped_on__isnull=True, unit=ClockUnit.WORKING_DAYS):
            paused, start = 0, None
            for kind, on in pauses[clock.pk]:
                if kind == "paused":
                    start = on
                elif start is not None:
                    paused += self.cal.between(start, on)
                    start = None
            due, unknown = self.cal.add(clock.received_on, clock.working_days + paused)
            assert (clock.due_on, clock.provisional) == (due, unknown), (
                f"{clock.kind} clock {clock.pk} received {clock.received_on} + {clock.working_days} "
                f"(+{paused} paused): system {clock.due_on} provisional={clock.provisional}, "
                f"count {due} provisional={unknown}"
            )
            self._checked("clock due date = working-day count")

    @invariant()
    def calendar_years(self) -> None:
        assert set(CalendarYear.objects.values_list("year", flat=True)) == set(self.cal.years)
        self._checked("calendar years known = entered")

    @invariant()
    def plans_add_up(self) -> None:
        """A plan lists exactly the projects the model put in it (a pending emergency request
        is shown with its stage); its total is the sum of their yearly amounts. Recomputed
        when a plan's membership or a project's state changed."""
        signature = tuple(Project.objects.order_by("pk").values_list("pk", "plan_id", "state"))
        if signature == self.plan_signature:
            return
        self.plan_signature = signature
        for pk, mp in self.plans.items():
            plan = AnnualPlan.objects.get(pk=pk)
            listed = set(
                plan.projects.exclude(state__in=("emergency_requested", "emergency_forwarded")).values_list(
                    "pk", flat=True
                )
            )
            members = {
                p
                for p in mp["members"]
                if self.projects[p]["state"] not in ("emergency_requested", "emergency_forwarded")
            }
            assert listed == members, (
                f"plan {mp['year']}: lists {sorted(listed)}, the model {sorted(members)}"
            )
            expected = sum(
                YearlyInvestment.objects.filter(project__plan=plan, year=mp["year"]).values_list(
                    "amount_yuan", flat=True
                ),
                Decimal("0"),
            )
            exporter = PlanExporter(mp["year"])
            # The year's column by its heading (columns are added over time: 建设性质, issue 15).
            year_column = next(
                i for i, c in enumerate(exporter.columns) if c.label == f"{mp['year']}年度计划投资（万元）"
            )
            grand = [r for r in exporter.rows() if str(r.values[1]).startswith("合计")]
            assert len(grand) == 1, "the plan table has one 合计 row"
            assert grand[0].values[year_column] == wan(expected), (mp["year"], grand[0].values, expected)
            self._checked("plan total = sum of yearly amounts")

    @invariant()
    def audit_chain_verifies(self) -> None:
        """The rows written since the last check link to the chain (lifecycle/chain.py), each
        digest what its content gives; the whole trail is verified at the end of a sequence."""
        prev = self.verified_hash
        for row in AuditEntry.objects.filter(pk__gt=self.verified_pk).order_by("pk"):
            assert row.prev_hash == prev, f"audit row {row.pk} does not link to the row before it"
            assert row.row_hash == chain.digest(prev, row, row.row_hash.split(":", 1)[0]), row.pk
            prev, self.verified_pk = row.row_hash, row.pk
        self.verified_hash = prev
        self._checked("audit hash chain verifies")
