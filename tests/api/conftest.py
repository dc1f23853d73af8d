"""The web tests' world (tests/web/conftest.py ``build_scene``), built once per module, and a
client per person with an API token. Every test of this folder asks for ``scene`` or ``people``."""

from __future__ import annotations

import pytest
from django.test import Client

from api import tokens
from tests.conftest import built_once, make_orgs, make_people, refetch_people
from tests.factories import CallFactory
from tests.web.conftest import build_scene, refetch_scene


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        orgs = make_orgs()
        people = make_people(orgs)
        yield orgs, people, build_scene(orgs, people, CallFactory(year=2026))


@pytest.fixture
def people(built, db):
    return refetch_people(built[1])


@pytest.fixture
def orgs(built, db):
    return {key: type(org).objects.get(pk=org.pk) for key, org in built[0].items()}


@pytest.fixture
def scene(built, db):
    return refetch_scene(built[2])


class Api:
    """A test client speaking to /api/v1/ as one person, with a token made by api/tokens.py."""

    def __init__(self, person):
        self.person = person
        _token, self.key = tokens.create(person)
        self.client = Client()

    def headers(self):
        return {"HTTP_AUTHORIZATION": f"Token {self.key}"}

    def get(self, path, **params):
        return self.client.get(path, params, **self.headers())

    def post(self, path, body=None):
        return self.client.post(path, body or {}, content_type="application/json", **self.headers())


@pytest.fixture
def api():
    return Api
