"""A province-sized database for benchmarks (issue 10): ``manage.py generate_province``.

Two stages, so that every state is reached the way a person reaches it and the whole is
still built in minutes:

1. **The sample, through the services.** ``web.demo.load`` walks its projects along the
   办法 with ``web.scenarios.Walker`` — every guard checked, every audit row, clock, opinion,
   material, change and contract written by the service that owns it — leaving one or more
   projects in every ``ProjectState``.
2. **Clones, in bulk.** The remaining projects copy the shape of a sample project chosen by
   a seeded random draw (weighted towards the states a province mostly holds: construction,
   operation, closed), with their own department (one of 40), name, amounts (every ``*_yuan``
   field scaled by one factor, so sums, ratios and 第二十八条 percentages stay what they were)
   and their own copies of every child row: yearly amounts, funding lines, data resources,
   participants, targets, opinions, corrections, clocks and their events, changes and their
   items, incidents, rectifications, reports, copies, contracts, material versions (a small
   file of their own in ``storages["documents"]``), sign-offs, evidence confirmations and the
   audit rows. Dates and states are the sample project's, so each clone's clocks agree with
   its history. The audit rows are appended to the hash chain in order
   (``AuditEntry.objects.bulk_create`` links them, lifecycle/chain.py), stamped with the time
   they are written (the day of each step stays in ``data["as_of"]``), so ``manage.py
   verify_audit`` passes on the result.

Not cloned: generated filings (the sample has none), the 第三十四条 supervision records and
the split warnings of the sample (they stay on the sample's projects).

Reproducible: the same ``seed`` and ``today`` give the same projects (names, departments,
amounts, states) on SQLite and PostgreSQL; only row numbers and stored-file names may differ.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.utils import timezone

from core.states import ProjectState as S
from documents import storage
from documents.models import EvidenceConfirmation, MaterialVersion, SignOff
from lifecycle.clocks import keep_first_due
from lifecycle.models import (
    AuditEntry,
    ChangeItem,
    ChangeRequest,
    Clock,
    ClockEvent,
    Contract,
    Copy,
    Correction,
    Incident,
    Opinion,
    PerformanceReport,
    Rectification,
)
from projects.models import (
    CallSubmission,
    DataResource,
    FundingLine,
    LevelRelation,
    Organisation,
    Participant,
    PerformanceTarget,
    Project,
    User,
    YearlyInvestment,
)
from web import demo

CENT = Decimal("0.01")
DEFAULT_PROJECTS = 10_000
BATCH = 250

#: 33 departments besides the demo's seven: 40 in all, as in a province.
MORE_OWNERS = [
    ("黑龙江省民政厅", "黑民"),
    ("黑龙江省司法厅", "黑司"),
    ("黑龙江省住房和城乡建设厅", "黑建"),
    ("黑龙江省交通运输厅", "黑交"),
    ("黑龙江省水利厅", "黑水"),
    ("黑龙江省商务厅", "黑商"),
    ("黑龙江省文化和旅游厅", "黑文旅"),
    ("黑龙江省退役军人事务厅", "黑退役"),
    ("黑龙江省生态环境厅", "黑环"),
    ("黑龙江省工业和信息化厅", "黑工信"),
    ("黑龙江省科学技术厅", "黑科"),
    ("黑龙江省民族宗教事务委员会", "黑民宗"),
    ("黑龙江省人民政府国有资产监督管理委员会", "黑国资"),
    ("黑龙江省林业和草原局", "黑林草"),
    ("黑龙江省体育局", "黑体"),
    ("黑龙江省统计局", "黑统"),
    ("黑龙江省医疗保障局", "黑医保"),
    ("黑龙江省粮食局", "黑粮"),
    ("黑龙江省药品监督管理局", "黑药监"),
    ("黑龙江省知识产权局", "黑知"),
    ("黑龙江省机关事务管理局", "黑机管"),
    ("黑龙江省乡村振兴局", "黑振兴"),
    ("黑龙江省广播电视局", "黑广电"),
    ("黑龙江省信访局", "黑信访"),
    ("黑龙江省人民防空办公室", "黑人防"),
    ("黑龙江省地震局", "黑震"),
    ("黑龙江省气象局", "黑气"),
    ("黑龙江省畜牧兽医局", "黑牧"),
    ("黑龙江省人民政府外事办公室", "黑外"),
    ("黑龙江省人民政府侨务办公室", "黑侨"),
    ("黑龙江省地方金融监督管理局", "黑金"),
    ("黑龙江省监狱管理局", "黑狱"),
    ("黑龙江省戒毒管理局", "黑戒毒"),
]
SUBJECTS = [
    "社会救助",
    "政务服务",
    "行政执法",
    "数据共享交换",
    "视频监控联网",
    "电子证照",
    "信用信息",
    "应急指挥",
    "业务协同",
    "综合统计",
    "档案数字化",
    "移动办公",
    "监测预警",
    "智能审批",
    "统一身份认证",
    "公共资源交易",
    "网上办事",
    "决策分析",
    "基础数据库",
    "安全运维",
]
KINDS = ["管理系统", "信息平台", "综合服务平台", "监管系统"]
KINDS += ["一体化平台", "数据中心", "业务系统升级", "二期工程"]
#: How often a clone takes the shape of a sample project in each state (1 for the others):
#: a province holds mostly projects under construction, running or closed.
WEIGHTS = {
    S.CONSTRUCTION: 12,
    S.OPERATION: 10,
    S.CLOSED: 10,
    S.IN_PLAN: 5,
    S.FSR_REVIEW: 4,
    S.FSR_APPROVED: 4,
    S.DESIGN_REVIEW: 4,
    S.COMPLETED: 4,
    S.RATIFIED: 3,
    S.ACCEPTED: 3,
    S.SELF_EVALUATED: 3,
    S.SUBMITTED: 3,
    S.JOINT_REVIEW: 3,
    S.REVIEW_PASSED: 2,
    S.DRAFT: 2,
}

#: Children of a project, in the order they are written (a row is written after the rows it
#: points at). ``AuditEntry`` comes after the changes its ``object_id`` names.
CHILDREN: list[type[models.Model]] = [
    YearlyInvestment,
    FundingLine,
    DataResource,
    LevelRelation,
    Participant,
    PerformanceTarget,
    Opinion,
    Correction,
    Clock,
    ChangeRequest,
    Incident,
    PerformanceReport,
    Copy,
    Contract,
    MaterialVersion,
    ClockEvent,
    ChangeItem,
    Rectification,
    AuditEntry,
    SignOff,
    EvidenceConfirmation,
]
#: Children reached through another child rather than ``project``.
THROUGH = {ClockEvent: "clock__project", ChangeItem: "change__project"}
#: The audit rows' objects that a clone has its own copy of.
AUDITED = {"projects.project": Project, "lifecycle.changerequest": ChangeRequest}


class NotEmpty(Exception):
    """The database has projects already (the command turns it into a Chinese message)."""


@dataclass
class Template:
    """A sample project and every row it owns, by model."""

    project: Project
    rows: dict[type[models.Model], list[models.Model]]
    owner_people: list[User]


@dataclass
class Department:
    org: Organisation
    people: dict[str, User]  # role → user


@dataclass
class Clone:
    template: Template
    department: Department
    name: str
    factor: Decimal
    code_serial: int
    file_seed: int
    users: dict[int, int] = field(default_factory=dict)  # sample user id → clone's
    maps: dict[type[models.Model], dict[int, int]] = field(default_factory=lambda: defaultdict(dict))


@dataclass
class Summary:
    projects: int
    sample: int
    clones: int
    audit_rows: int
    seconds: float
    states: dict[str, int]


def departments() -> list[Department]:
    """The 40 departments (the demo's seven and MORE_OWNERS), each with a 经办人 and a 负责人."""
    password = make_password(demo.DEMO_PASSWORD)
    for i, (name, code) in enumerate(MORE_OWNERS, start=1):
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": "owner", "code": code})
        for j, role in enumerate(("preparer", "head")):
            User.objects.get_or_create(
                username=f"dept{i:02d}_{role}",
                defaults={
                    "organisation": org,
                    "role": role,
                    "full_name": demo._name(100 + 2 * i + j),
                    "password": password,
                },
            )
    names = [name for name, _code, _prefix in demo.OWNERS] + [name for name, _code in MORE_OWNERS]
    orgs = {o.name: o for o in Organisation.objects.filter(name__in=names)}
    members: dict[int, dict[str, User]] = defaultdict(dict)
    for user in User.objects.filter(organisation__in=orgs.values()).order_by("pk"):
        if user.organisation_id is not None:
            members[user.organisation_id].setdefault(user.role, user)
    return [Department(orgs[name], members[orgs[name].pk]) for name in names]


def templates() -> list[Template]:
    """Every project of the database with its rows, read once (the sample is small)."""
    result = []
    for project in Project.objects.order_by("pk"):
        rows: dict[type[models.Model], list[models.Model]] = {}
        for model in CHILDREN:
            lookup = THROUGH.get(model, "project")
            rows[model] = list(model._default_manager.filter(**{lookup: project}).order_by("pk"))
        result.append(Template(project, rows, list(project.owner.members.order_by("pk"))))
    return result


def plan_clones(
    sample: list[Template], depts: list[Department], count: int, rng: random.Random
) -> list[Clone]:
    """Which sample project each clone copies, with its department, name and amounts."""
    weights = [WEIGHTS.get(t.project.state, 1) for t in sample]
    clones = []
    for i in range(count):
        template = rng.choices(sample, weights)[0]
        dept = rng.choice(depts)
        short = dept.org.name.removeprefix("黑龙江省")
        name = f"{short}{rng.choice(SUBJECTS)}{rng.choice(KINDS)}"
        factor = Decimal(rng.randint(20, 400)) / 100
        clones.append(Clone(template, dept, name, factor, 100_000 + i, rng.getrandbits(64)))
    return clones


def generate(
    projects: int = DEFAULT_PROJECTS,
    *,
    seed: int = 1,
    today: datetime.date | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Summary:
    """Build the database: the sample through the services, then clones up to ``projects``.

    Refuses (``NotEmpty``) when the database holds projects already, unless ``force``: then
    the existing projects are the sample and the clones are added to them."""
    started = time.perf_counter()
    if Project.objects.exists() and not force:
        raise NotEmpty
    today = today or timezone.localdate()
    if not Project.objects.exists():
        progress("样本：通过业务服务逐步办理演示项目（各个状态）……")
        demo.load(today=today)
    with transaction.atomic():
        depts = departments()
    sample = templates()
    progress(f"样本项目 {len(sample)} 个，涵盖 {len({t.project.state for t in sample})} 个状态。")
    rng = random.Random(seed)
    clones = plan_clones(sample, depts, max(0, projects - len(sample)), rng)
    submissions: dict[tuple[int, int], int] = {}  # (department, sample submission) → its own
    for start in range(0, len(clones), BATCH):
        batch = clones[start : start + BATCH]
        with transaction.atomic():
            _write(batch, submissions)
        done = len(sample) + start + len(batch)
        seconds = time.perf_counter() - started
        progress(f"已生成 {done}/{len(sample) + len(clones)} 个项目（{seconds:.0f} 秒）")
    # The clones' clocks were copied in bulk with their sample's first_due: the column is set
    # from the copied clocks, as every write of a clock sets it (lifecycle.clocks).
    with transaction.atomic():
        keep_first_due()
    states: dict[str, int] = defaultdict(int)
    for state in Project.objects.values_list("state", flat=True):
        states[state] += 1
    return Summary(
        projects=Project.objects.count(),
        sample=len(sample),
        clones=len(clones),
        audit_rows=AuditEntry.objects.count(),
        seconds=time.perf_counter() - started,
        states=dict(sorted(states.items())),
    )


# ---------------------------------------------------------------------- writing


def _users(clone: Clone) -> None:
    for user in clone.template.owner_people:
        mine = clone.department.people.get(user.role)
        if mine is not None:
            clone.users[user.pk] = mine.pk


def _copy(row: models.Model, clone: Clone, *, project_id: int | None) -> models.Model | None:
    """A new, unsaved copy of ``row`` for ``clone``; None when a row it points at was not copied."""
    template = clone.template.project
    values = {}
    for f in type(row)._meta.concrete_fields:
        if f.primary_key:
            continue
        value = getattr(row, f.attname)
        if f.is_relation and value is not None:
            target = f.related_model
            if target is Project:
                value = project_id
            elif target is User:
                value = clone.users.get(value, value)
            elif target is Organisation:
                value = clone.department.org.pk if value == template.owner_id else value
            elif target is CallSubmission:
                value = clone.maps[CallSubmission].get(value)
            elif target in CHILDREN:
                value = clone.maps[target].get(value)
                if value is None:
                    return None
        elif value is not None and f.name.endswith("_yuan"):
            value = (value * clone.factor).quantize(CENT)
        elif isinstance(value, str) and template.name and template.name in value:
            value = value.replace(template.name, clone.name)
        values[f.attname] = value
    return type(row)(**values)


def _write(batch: list[Clone], submissions: dict[tuple[int, int], int]) -> None:
    for clone in batch:
        _users(clone)
    _ensure_submissions(batch, submissions)
    now = timezone.now()
    new_projects = []
    for clone in batch:
        project = _copy(clone.template.project, clone, project_id=None)
        assert isinstance(project, Project)
        project.name = clone.name
        if project.platform_code:  # 办法第十五条: one code per project
            project.platform_code = project.platform_code[:18] + f"{clone.code_serial:06d}"
        new_projects.append(project)
    Project.objects.bulk_create(new_projects)
    for clone, project in zip(batch, new_projects, strict=True):
        clone.maps[Project][clone.template.project.pk] = project.pk
    for model in CHILDREN:
        pairs = []
        for clone, project in zip(batch, new_projects, strict=True):
            for row in clone.template.rows[model]:
                copy = _copy(row, clone, project_id=project.pk)
                if copy is None or not _adjust(copy, row, clone, project, now):
                    continue
                pairs.append((clone, row.pk, copy))
        if not pairs:
            continue
        model._default_manager.bulk_create([copy for _c, _pk, copy in pairs], batch_size=1000)
        for clone, old, copy in pairs:
            clone.maps[model][old] = copy.pk


def _adjust(copy: models.Model, row: models.Model, clone: Clone, project: Project, now) -> bool:
    """What a generic copy cannot know; False to leave the row out."""
    if isinstance(copy, Participant) and copy.organisation_id == project.owner_id:
        return False  # the lead department does not take part in its own project
    if isinstance(copy, AuditEntry):
        model = AUDITED.get(copy.object_type)
        if model is None:
            return False
        if getattr(row, "actor_id", None) in clone.users:
            copy.actor_name = str(clone.department.people[copy.role])
        new = project.pk if model is Project else clone.maps[model].get(int(copy.object_id))
        if new is None:
            return False
        copy.object_id = str(new)
        copy.at = now  # written now; the day of the step stays in data["as_of"]
    if isinstance(copy, MaterialVersion):
        rng = random.Random(f"{clone.file_seed}/{copy.kind}/{copy.number}")
        body = f"%PDF-1.4\n% {project.pk} {copy.kind} {copy.number}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
        data = body.encode()
        copy.storage_key = storage.save_bytes(
            f"materials/{project.pk}/{copy.kind}/{rng.getrandbits(128):032x}.pdf", data
        )
        copy.sha256, copy.sm3 = storage.digests(data)
        copy.size = len(data)
    return True


def _ensure_submissions(batch: list[Clone], submissions: dict[tuple[int, int], int]) -> None:
    """办法第八条: each department's one consolidated submission per call, signed by its head."""
    wanted: dict[tuple[int, int], Clone] = {}
    for clone in batch:
        sub = clone.template.project.submission_id
        if sub is not None and (clone.department.org.pk, sub) not in submissions:
            wanted.setdefault((clone.department.org.pk, sub), clone)
    for (org, sub), clone in wanted.items():
        template = CallSubmission.objects.get(pk=sub)
        existing = CallSubmission.objects.filter(call_id=template.call_id, organisation_id=org).first()
        if existing is None:
            copy = _copy(template, clone, project_id=None)
            assert isinstance(copy, CallSubmission)
            copy.organisation_id = org
            copy.split_warnings = []
            copy.save()
            existing = copy
        submissions[(org, sub)] = existing.pk
    for clone in batch:
        for (org, sub), mine in submissions.items():
            if org == clone.department.org.pk:
                clone.maps[CallSubmission][sub] = mine
