"""The world a backup test saves: the demo (projects in every state, with their uploads) plus
a few filings issued by the people entitled to them. Run in a subprocess against its own
database and storage:
``manage.py shell -c "from tests.documents import backup_world; backup_world.build()"``."""

from __future__ import annotations

from documents import filings
from lifecycle.errors import RuleViolation
from projects.models import AnnualPlan, Organisation, Project, User
from web import demo

FILINGS = 3  # PDFs take a while to render; the plan table and two letters


def build() -> None:
    demo.load()
    for org in Organisation.objects.filter(code=""):
        org.code = f"黑{org.pk}"
        org.save()
    people = list(User.objects.exclude(organisation=None))
    issued = 0
    plan = AnnualPlan.objects.order_by("pk").first()
    for person in people:
        actions = [a for a in filings.plan_actions_for(person, plan) if a["mode"] == "issue"]
        if actions:
            filings.generate(actions[0]["kind"], actor=person, plan=plan)
            issued += 1
            break
    for project in Project.objects.order_by("pk"):
        for person in people:
            for action in filings.actions_for(person, project):
                if action["mode"] != "issue" or issued >= FILINGS:
                    continue
                try:
                    filings.generate(
                        action["kind"], actor=person, project=project, object_id=action["object_id"] or None
                    )
                except RuleViolation:
                    continue
                issued += 1
        if issued >= FILINGS:
            break
    print(f"filings issued: {issued}")
