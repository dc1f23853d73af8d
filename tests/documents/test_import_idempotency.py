"""Importing the same file twice creates nothing the second time (issue 7): by the file's
content digest per (call, department), and by 项目名称 within the call and department —
also when the two imports run at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from documents.imports import applications_import
from projects.models import Project
from tests.conftest import at
from tests.documents.test_imports import filled, project_row, resource_row, two_projects


def _same(upload):
    data = upload.read()
    return lambda: SimpleUploadedFile(upload.name, data)


def test_the_same_file_twice_names_the_earlier_import_and_creates_nothing(orgs, people, call_2026):
    again = _same(two_projects())
    with at(2025, 6, 10, 9):
        first = applications_import(
            again(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
        )
    assert first.ok and len(first.projects) == 2
    with at(2025, 6, 11, 15):
        second = applications_import(
            again(), call=call_2026, organisation=orgs["owner"], actor=people.owner_head
        )
    assert not second.ok and second.projects == []
    message = str(second.errors[0])
    assert "该文件已于2025-06-10 09:00" in message and str(people.owner_preparer) in message
    assert "全省教育督导信息平台" in message and "全省学前教育管理系统" in message and "未重复导入" in message
    assert Project.objects.filter(owner=orgs["owner"], call=call_2026).count() == 2


def test_another_file_with_the_same_project_names_creates_nothing(orgs, people, call_2026):
    applications_import(
        two_projects(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )
    renamed = filled(
        [project_row("全省教育督导信息平台", 技术路线="另一条路线")],
        [resource_row("全省教育督导信息平台")],
        name="改过的.xlsx",
    )
    result = applications_import(
        renamed, call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )
    assert not result.ok and "同名项目" in str(result.errors[0])
    assert Project.objects.filter(owner=orgs["owner"], call=call_2026).count() == 2


def test_another_department_may_import_the_same_file(orgs, people, call_2026):
    again = _same(two_projects())
    applications_import(again(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer)
    result = applications_import(
        again(), call=call_2026, organisation=orgs["other_owner"], actor=people.other_owner_preparer
    )
    assert result.ok and len(result.projects) == 2


def test_the_import_page_answers_the_second_upload_with_the_message(client, orgs, people, call_2026):
    again = _same(two_projects())
    client.force_login(people.owner_preparer)
    url = reverse("documents:application_import")
    assert client.post(url, {"call": call_2026.pk, "file": again()}).status_code == 201
    response = client.post(url, {"call": call_2026.pk, "file": again()})
    assert response.status_code == 400
    assert "未重复导入" in response.json()["errors"][0]["text"]
    assert Project.objects.filter(owner=orgs["owner"], call=call_2026).count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_imports_of_the_same_file_at_once_create_the_projects_once(orgs, people, call_2026):
    """Two threads, two connections. On PostgreSQL the department's row lock serialises them;
    on SQLite the IMMEDIATE transactions do (the test database there is an in-memory one
    shared between connections, whose table locks do not wait; the check is then the same:
    one import, never two)."""
    again = _same(two_projects())
    barrier = threading.Barrier(2)
    outcomes = []

    def run(actor):
        try:
            barrier.wait()
            result = applications_import(again(), call=call_2026, organisation=orgs["owner"], actor=actor)
            outcomes.append("created" if result.ok else "refused")
        except Exception as exc:
            outcomes.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(p,)) for p in (people.owner_preparer, people.owner_head)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert outcomes.count("created") == 1, outcomes
    other = next(o for o in outcomes if o != "created")
    # Refused with the message naming the first import, or — only on SQLite's shared
    # in-memory test database — a lock error, which the web answers with the 409 page
    # (config.middleware.is_lock_conflict).
    assert other == "refused" or "is locked" in other, outcomes
    assert Project.objects.filter(owner=orgs["owner"], call=call_2026).count() == 2
