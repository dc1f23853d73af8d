"""A button is shown exactly when its page opens, and a page opens exactly when its service
accepts (projects.capabilities).

The states in which each page opens are written here from the 办法, not read from the code:
第九、十条 the application is edited while drafting and during 陈述和补正; 第八条 the
department's submission page for a draft of a call; 第十五、十六、二十三、二十四、三十一条
records until the project has ended; 第二十八条 changes during construction (and rectifying);
第二十五条 the yearly report until completion; 第二十六条 incidents while building (also
suspended); 第三十六条 the rectification report only under an order; 第十条 the joint review
from submission to its conclusion. Only the department's 经办人/负责人 acts on its pages.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from projects.capabilities import PAGES, capabilities
from tests.lifecycle.builders import project_in

RECORDS = set(S) - {S.CLOSED, S.TERMINATED, S.WITHDRAWN, S.FSR_REFUSED, S.DESIGN_REFUSED}
RECORDS -= {S.RATIFICATION_DECLINED, S.CANCELLED}  # issue 8: ended before construction
OPEN_IN = {
    "application_edit": {S.DRAFT, S.CORRECTING},
    "call_submit": {S.DRAFT},
    "records_edit": RECORDS,
    "change_new": {S.CONSTRUCTION, S.RECTIFICATION},
    "performance_report_new": {S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED, S.COMPLETED},
    "incident_new": {S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED},
    "contract_new": {S.RATIFIED, S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED},
    "rectification_report": {S.RECTIFICATION},
    "joint_review": {
        S.SUBMITTED,
        S.JOINT_REVIEW,
        S.CORRECTING,
        S.EXPERT_EVALUATION,
        S.REVIEW_PASSED,
        S.REVIEW_REJECTED,
    },
    # 办法第十三条: a participating department confirms its part before submission (and again
    # during 陈述和补正 after the lead edited it).
    "participant_confirm": {S.DRAFT, S.CORRECTING},
    # 第九条 the targets come with the application; 第三十三条 at the latest before the
    # self-evaluation — not on an application refused, left out or withdrawn, nor once ended.
    "evaluation_targets": set(S)
    - {
        S.SELF_EVALUATED,
        S.POST_EVALUATION,
        S.CLOSED,
        S.TERMINATED,
        S.WITHDRAWN,
        S.REVIEW_REJECTED,
        S.NOT_INCLUDED,
    },
}
#: 办法第十三条: the participating department's page. No persona here takes part in the
#: project, so it opens for nobody (tests/projects/test_review_participation.py opens it).
PARTICIPANT_PAGES = {"participant_confirm"}
#: pages every reader of the project may open; the others are the department's staff's
READ_PAGES = {"joint_review"}
#: pages of the department's call submission rather than of one project: any department's
#: staff open their own, so only "listed ⇒ opens" is checked for them
CALL_PAGES = {"call_submit"}
STATES = [
    S.DRAFT,
    S.SUBMITTED,
    S.CORRECTING,
    S.REVIEW_PASSED,
    S.CONSTRUCTION,
    S.RECTIFICATION,
    S.SUSPENDED,
    S.COMPLETED,
    S.CLOSED,
]
PERSONAS = ["owner_preparer", "owner_head", "owner_reviewer", "bureau_reviewer", "other_owner_preparer"]


def test_every_page_has_its_states_here():
    assert {p.name for p in PAGES} == set(OPEN_IN)


def _expected(page, state, persona, visible):
    if not visible:
        return 404
    if page in PARTICIPANT_PAGES:
        return 403
    opens = state in OPEN_IN[page] and (page in READ_PAGES or persona in ("owner_preparer", "owner_head"))
    return 200 if opens else 403


@pytest.mark.parametrize("state", STATES)
def test_a_button_is_shown_exactly_when_its_page_opens(client, orgs, people, call_2026, state):
    project, _on = project_in(state, orgs, people, call_2026)
    assert project.state == state
    for persona in PERSONAS:
        user = people[persona]
        client.force_login(user)
        detail = client.get(reverse("project", args=[project.pk]))
        visible = detail.status_code == 200
        assert detail.status_code in (200, 404), persona
        can = capabilities(project, user) if visible else None
        listed = {p["name"] for p in can.pages} if can is not None else set()
        html = detail.content.decode() if visible else ""
        for page in PAGES:
            expected = _expected(page.name, state, persona, visible)
            url = reverse(page.name, args=page.args(project)) if page.args(project) else None
            status = client.get(url).status_code if url else 403
            if page.name in CALL_PAGES:
                assert expected != 200 or status == 200, (page.name, state, persona)
            else:
                assert status == expected, (page.name, state, persona)
            assert (page.name in listed) is (expected == 200), (page.name, state, persona)
            if url:
                assert (f'href="{url}"' in html) is (expected == 200), (page.name, state, persona)
