"""Who may see a project (and so its materials, filings and exports).

One helper per object type returns 404 to outsiders, so that an outsider cannot even learn
that a project exists. The rule: the project's own department (and the participating
departments of a cross-department project, 办法第十三条) see it; the provincial agencies of
办法第四、五条 and 省审计厅 (第三十七条) see every project except departments' drafts; an expert body
sees the projects
it was asked about (it gave an opinion, or the project is in expert evaluation).
"""

from __future__ import annotations

from django.http import Http404

from projects.access import get_project_for_user, is_agency
from projects.selectors import visible_projects

from .models import Filing, MaterialVersion


def may_see(user, project) -> bool:
    # One rule for the whole system: projects.selectors.visible_projects.

    return visible_projects(user).filter(pk=project.pk).exists()


def project_for_user(user, pk):
    return get_project_for_user(user, pk)


def material_for_user(user, pk):
    version = MaterialVersion.objects.select_related("project").filter(pk=pk).first()
    if version is None or not may_see(user, version.project):
        raise Http404("材料不存在或无权查看")
    return version


def filing_for_user(user, pk):
    filing = Filing.objects.select_related("project", "plan").filter(pk=pk).first()
    if filing is None:
        raise Http404("文书不存在或无权查看")
    if filing.project_id:
        if not may_see(user, filing.project):
            raise Http404("文书不存在或无权查看")
    elif not (user.is_authenticated and is_agency(user)):
        # A plan-wide filing is for the provincial agencies.
        raise Http404("文书不存在或无权查看")
    return filing
