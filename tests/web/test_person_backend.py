"""Issue 10: the sign-in backend loads the person with their organisation in one query
(projects/backends.py), and sessions signed in with Django's own backend before it keep
working."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.backends import PersonBackend
from projects.models import User


@pytest.mark.django_db
def test_the_person_comes_with_their_organisation_and_an_inactive_one_not_at_all(people):
    person = people.owner_head
    with CaptureQueriesContext(connection) as queries:
        loaded = PersonBackend().get_user(person.pk)
        assert loaded.organisation.name == person.organisation.name
    assert len(queries) == 1
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert PersonBackend().get_user(person.pk) is None
    assert PersonBackend().get_user(10**9) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend", ["projects.backends.PersonBackend", "django.contrib.auth.backends.ModelBackend"]
)
def test_a_page_reads_the_persons_organisation_without_another_query(client, people, backend):
    client.force_login(people.owner_head, backend=backend)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    by_id = [
        q["sql"]
        for q in queries
        if 'FROM "projects_organisation" WHERE "projects_organisation"."id" =' in q["sql"]
    ]
    if backend.startswith("projects."):
        assert by_id == []
    else:  # a session from before: still signed in, at one more query
        assert len(by_id) == 1
