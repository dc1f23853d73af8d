"""A base for the query-count tests of the pages (issue 10): the scene of tests/web/conftest.py
built once per class, fresh copies of its rows for each test, and ``_count`` — the queries of
a page's second request (the first of the day opens the yearly clocks, config.daily)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import built_once, make_orgs, make_people, refetch_people
from tests.factories import CallFactory
from tests.web.conftest import build_scene, refetch_scene


class SceneQueries:
    @pytest.fixture(scope="class")
    @classmethod
    def built(cls, django_db_setup, django_db_blocker):
        with built_once(django_db_blocker):
            orgs = make_orgs()
            people = make_people(orgs)
            yield orgs, people, build_scene(orgs, people, CallFactory(year=2026))

    @pytest.fixture
    def orgs(self, built, db):
        return {key: type(org).objects.get(pk=org.pk) for key, org in built[0].items()}

    @pytest.fixture
    def people(self, built, db):
        return refetch_people(built[1])

    @pytest.fixture
    def scene(self, built, db):
        return refetch_scene(built[2])

    def _count(self, client, url):
        client.get(url)  # the day's first request opens the yearly clocks (config.daily)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        self._last = "\n".join(q["sql"][:200] for q in ctx.captured_queries)
        return len(ctx.captured_queries), response.content.decode()
