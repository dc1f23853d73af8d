"""No framework wording left on any form (issue 11): every form of the site, bound to empty,
wrong, huge and malformed values and rendered as its page renders it (templates/_form.html),
shows no message of Django's own catalogue (Chinese or English), no doubled punctuation and no
article cited twice in a row. A new form class fails ``test_every_form_is_rendered_here``
until it is listed in FORMS."""

from __future__ import annotations

import datetime
import gettext
import importlib
import inspect
import itertools
import pkgutil
import re
from functools import partial
from pathlib import Path

import django
from django import forms
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from core.timeutil import as_of
from lifecycle import corrections, guards, services
from lifecycle.contractforms import ContractForm
from lifecycle.forms import TransitionForm
from lifecycle.models import Aspect
from lifecycle.rules import Guard
from lifecycle.webforms import (
    STEP_EXTRAS,
    CalendarYearForm,
    ChangeForm,
    ChangeItemFormSet,
    CorrectionForm,
    IncidentForm,
    OpinionForm,
    PerformanceReportForm,
    RectificationReportForm,
    StepForm,
)
from projects.call_forms import CallCloseForm, CallExtendForm, CallOpenForm
from projects.delegation_forms import DelegationChangeForm, DelegationForm
from projects.forms import FORMSETS, ApplicationForm, RecordsForm
from projects.notification_forms import PreferenceForm
from projects.supervision_forms import (
    DecisionForm,
    DecisionLiftForm,
    ExceptionForm,
    ExceptionReviewForm,
    FindingForm,
    LiftForm,
)
from tests.factories import ProjectFactory
from web.draft_views import DiscardForm
from web.evaluation_views import TargetForm, TargetReportForm
from web.otp_views import TokenForm, VerifyForm
from web.signin import SignInForm

#: Apps whose forms people fill in.
APPS = ("core", "lifecycle", "projects", "documents", "exports", "web")

# ---------------------------------------------------------------- what must not show


def _django_catalogues() -> dict:
    """msgid → Django's own Chinese msgstr, for the framework and the admin/auth apps whose
    messages a form can show."""
    root = Path(django.__file__).parent
    catalogue: dict = {}
    for mo in [
        root / "conf/locale/zh_Hans/LC_MESSAGES/django.mo",
        *root.glob("contrib/*/locale/zh_Hans/LC_MESSAGES/django.mo"),
    ]:
        with mo.open("rb") as f:
            catalogue.update(gettext.GNUTranslations(f)._catalog)
    return catalogue


def _pattern(text: str):
    """A catalogue message as a pattern (its placeholders match anything), with its longest
    literal part (a quick test before the pattern) and the length of all its literal text."""
    parts = [p.strip() for p in re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}", text)]
    regex = re.compile(".+?".join(re.escape(p) for p in parts), re.S)
    return regex, max(parts, key=len), sum(map(len, parts))


def _defaults():
    catalogue = _django_catalogues()
    ours = translation.trans_real.translation("zh-hans")
    patterns = []
    for key, chinese in catalogue.items():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or not chinese or len(chinese) < 6:
            continue
        # what our own catalogue says for it (the project's wording, web/wording.py)
        mine = ours._catalog.get(key) if hasattr(ours, "_catalog") else None
        if mine is not None and mine != chinese:
            patterns.append(_pattern(msgid))  # the English must not show either
            continue
        patterns += [_pattern(chinese), _pattern(msgid)]
    # a message that is mostly a placeholder ("%(value)s") would match anything
    return [(regex, longest) for regex, longest, literal in patterns if literal >= 4]


#: Doubled or clashing punctuation, and the same article cited twice in a row.
PUNCTUATION = re.compile(r"[。；，：][。；，]|[。；][.;]|\.\s*[。；]|（办法(第[^）]+条)）[。；，]?（办法\1）")


# ---------------------------------------------------------------- every form, with its arguments


def _our_form_classes():
    found = {}
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.endswith("tests"):
                continue
            module = importlib.import_module(info.name)
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if issubclass(obj, forms.BaseForm) and obj.__module__ == info.name:
                    found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


NASTY = ["", " ", "abc", "-1", "0", "9" * 40, "1.234567", "2026-13-01", "1e400", "x" * 3000, "１２３", "<b>"]


def _bindings(make):
    """The form bound to: nothing, then each nasty value in every field at once."""
    probe = make(None)
    names = [probe.add_prefix(n) for n in probe.fields]
    yield make({})
    for value in NASTY:
        yield make(dict.fromkeys(names, value))


def _formset_bindings(make):
    yield make({})  # no management form at all
    prefix = make(None).prefix
    for total, value in itertools.product(["1", "abc", "0", "3"], NASTY[:6]):
        probe = make(None).empty_form
        data = {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": "0"}
        data.update({f"{prefix}-0-{n}": value for n in probe.fields})
        yield make(data)


def _render(form) -> list[str]:
    """What a person reads of the form's messages: each error (field, form, formset) and
    each help text, as rendered on the page (templates/_form.html, the formset tables)."""
    forms_ = [*form.forms, form.empty_form] if isinstance(form, forms.BaseFormSet) else [form]
    texts = [str(e) for e in form.non_form_errors()] if isinstance(form, forms.BaseFormSet) else []
    for f in forms_:
        texts += [str(e) for errors in f.errors.values() for e in errors]
        texts += [str(field.help_text) for field in f.fields.values() if field.help_text]
    return texts


def _steps(obj):
    """The step forms of ``obj``'s machine, one per set of data fields (the reason box alone is
    the same field everywhere)."""
    model, seen = type(obj), set()
    for name in dict.fromkeys(t.name for t in model._meta.get_field("state").get_all_transitions(model)):
        t, _possible = services.transition_of(obj, name)
        if (t.custom["fields"], name in STEP_EXTRAS) in seen:
            continue
        seen.add((t.custom["fields"], name in STEP_EXTRAS))
        yield {
            "name": name,
            "needs_reason": t.custom["needs_reason"],
            "fields": t.custom["fields"],
            "overridable": True,
        }


def _makers(scene, people):
    """form class path → the ways it is built on the pages (a function of the POST data)."""
    draft, building = scene.draft, scene.building
    user = people.bureau_head
    aspects = [(a.value, a.label) for a in Aspect]
    return {
        "lifecycle.forms.TransitionForm": [TransitionForm],
        "projects.forms.ApplicationForm": [lambda d: ApplicationForm(d, instance=draft)],
        "projects.forms.RecordsForm": [lambda d: RecordsForm(d, instance=building)],
        "lifecycle.webforms.StepForm": [
            partial(StepForm, obj=obj, step=step)
            for obj in (building, draft, scene.plan_2027, scene.pending)
            for step in _steps(obj)
        ],
        "lifecycle.webforms.CorrectionForm": [
            partial(CorrectionForm, project=building, field=f) for f in corrections.FIELDS
        ],
        "lifecycle.webforms.OpinionForm": [lambda d: OpinionForm(d, aspects=aspects)],
        "lifecycle.webforms.ChangeForm": [ChangeForm],
        "lifecycle.webforms.IncidentForm": [IncidentForm],
        "lifecycle.webforms.RectificationReportForm": [RectificationReportForm],
        "lifecycle.webforms.PerformanceReportForm": [lambda d: PerformanceReportForm(d, project=building)],
        "lifecycle.webforms.CalendarYearForm": [CalendarYearForm],
        "lifecycle.contractforms.ContractForm": [ContractForm],
        "projects.delegation_forms.DelegationForm": [lambda d: DelegationForm(d, delegator=people.cac_head)],
        "projects.delegation_forms.DelegationChangeForm": [DelegationChangeForm],
        "projects.call_forms.CallOpenForm": [CallOpenForm],
        "projects.call_forms.CallExtendForm": [CallExtendForm],
        "projects.call_forms.CallCloseForm": [CallCloseForm],
        "projects.supervision_forms.FindingForm": [lambda d: FindingForm(d, user=people.cac_reviewer)],
        "projects.supervision_forms.LiftForm": [LiftForm],
        "projects.supervision_forms.ExceptionForm": [lambda d: ExceptionForm(d, user=people.owner_head)],
        "projects.supervision_forms.ExceptionReviewForm": [ExceptionReviewForm],
        "projects.supervision_forms.DecisionForm": [lambda d: DecisionForm(d, user=user)],
        "projects.supervision_forms.DecisionLiftForm": [DecisionLiftForm],
        "web.evaluation_views.TargetForm": [TargetForm],
        "web.evaluation_views.TargetReportForm": [TargetReportForm],
        "web.otp_views.TokenForm": [TokenForm],
        "web.otp_views.VerifyForm": [VerifyForm],
        # deleting a draft (issue 11, web/draft_views.py)
        "web.draft_views.DiscardForm": [DiscardForm],
        # issue 12: a person's notification settings (web/notification_views.py)
        "projects.notification_forms.PreferenceForm": [PreferenceForm],
        # the sign-in page (Django's AuthenticationForm with the system's wording)
        "web.signin.SignInForm": [lambda d: SignInForm(RequestFactory().post("/login/"), d)],
    }


def _formset_makers(scene):
    """The rows of the application (projects.forms.FORMSETS) and of a change."""
    draft = scene.draft
    made = {
        f"projects.forms.{cls.form.__name__}": partial(cls, instance=draft, prefix=prefix)
        for prefix, cls, _heading, _key in FORMSETS
    }
    made["lifecycle.webforms.ChangeItemForm"] = lambda d: ChangeItemFormSet(d, prefix="items")
    return made


#: Form classes that are bases only, never shown themselves.
BASES = {"projects.forms.RowForm"}


def test_every_form_is_rendered_here(scene, people):
    covered = set(_makers(scene, people)) | set(_formset_makers(scene)) | BASES
    assert sorted(set(_our_form_classes()) - covered) == []


def _lines(texts):
    return {line for text in texts for line in (t.strip() for t in text.splitlines()) if line}


def _problems(lines: dict, patterns) -> set:
    """(form, kind, line) for each line a person would read that is the framework's own
    wording or has doubled punctuation; ``lines``: line → the forms that showed it."""
    found = set()
    for line, where in lines.items():
        kinds = []
        if PUNCTUATION.search(line):
            kinds.append("punctuation")
        if any(longest in line and regex.fullmatch(line) for regex, longest in patterns):
            kinds.append("framework")
        found |= {(sorted(where)[0], kind, line[:160]) for kind in kinds}
    return found


def test_no_form_shows_framework_wording_or_doubled_punctuation(scene, people):
    lines: dict[str, set] = {}
    with translation.override("zh-hans"):
        for path, makes in _makers(scene, people).items():
            for make in makes:
                for form in _bindings(make):
                    form.is_valid()
                    for line in _lines(_render(form)):
                        lines.setdefault(line, set()).add(path)
        for path, make in _formset_makers(scene).items():
            for formset in _formset_bindings(make):
                formset.is_valid()
                for line in _lines(_render(formset)):
                    lines.setdefault(line, set()).add(path)
        problems = _problems(lines, _defaults())
    assert sorted(problems) == [], "\n".join(map(str, sorted(problems)))


# ---------------------------------------------------------------- refusals read as one sentence


def test_an_incomplete_application_is_refused_in_one_sentence(db, orgs, people, call_2026):
    """The issue's example: "缺少“X”（办法第九条）。；缺少“Y”（办法第九条）。（办法第九条）" —
    now each gap once, separated by "；", the article cited once at the end."""
    draft = ProjectFactory(owner=orgs["owner"], call=call_2026, basis_and_necessity="", content_and_scale="")
    draft.responsible_person = people.owner_head
    with translation.override("zh-hans"), as_of(datetime.date(2025, 6, 10)):
        why = services.refusal(draft, "submit", people.owner_head, via="call_submission")
    assert why and "申报材料不全：缺少“建设依据和必要性”；缺少“建设内容和规模”；" in why
    assert why.count("（办法第九条）") == 1
    assert not PUNCTUATION.search(why), why


PERSONS = ("owner_head", "owner_preparer", "bureau_head", "bureau_reviewer", "government_head")


def test_no_refusal_doubles_its_punctuation(scene, people):
    """Every guard's refusal, on every object of the scene where it refuses, and the steps'
    refusals as each person reads them on the pages."""
    objects = [
        scene.draft,
        scene.building,
        scene.reviewing,
        scene.submitted,
        scene.plan_2027,
        ProjectFactory(owner=scene.draft.owner, call=scene.draft.call, name="空白", content_and_scale=""),
    ]
    texts = []
    with translation.override("zh-hans"):
        for obj in objects:
            for name, gd in vars(guards).items():
                if not isinstance(gd, Guard):
                    continue
                try:
                    if gd(obj):
                        continue
                    texts.append((name, gd.explain(obj)))
                except (AttributeError, TypeError, ValueError):
                    continue  # a guard of another kind of object
            for person in (
                "owner_head",
                "owner_preparer",
                "bureau_head",
                "bureau_reviewer",
                "government_head",
            ):
                for step in services.available(obj, people[person]):
                    texts += [(step["name"], b) for b in step["blocked_by"]]
    assert len(texts) > 10
    bad = [(name, text) for name, text in texts if PUNCTUATION.search(text)]
    assert bad == []


def test_a_username_longer_than_any_account_is_refused_before_the_lockout_record(client, db):
    """Found on PostgreSQL: a 3,000-character name reached django-axes' varchar(255) record and
    answered 500; now the sign-in form refuses it like a wrong name (no attempt is recorded)."""
    from axes.models import AccessAttempt

    with translation.override("zh-hans"):
        response = client.post(reverse("login"), {"username": "x" * 3000, "password": "y"})
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    assert not AccessAttempt.objects.exists()
