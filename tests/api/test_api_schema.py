"""The OpenAPI 3 schema (issue 12): served at /api/schema/, valid, and listing every endpoint
of api/urls.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern
from drf_spectacular.validation import validate_schema

from api import urls

pytestmark = pytest.mark.django_db


def _served() -> dict:
    answer = Client().get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    return answer.json()


def test_the_served_schema_is_valid_openapi_3(people):
    schema = _served()
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on an invalid document
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_the_schema_lists_every_endpoint(people):
    # a path parameter is named as the schema names it ({id} for a pk): compare the shapes
    paths = {re.sub(r"\{\w+\}", "{}", path) for path in _served()["paths"]}
    expected = {
        "/api/" + re.sub(r"<(?:\w+:)?\w+>", "{}", str(p.pattern))
        for p in urls.urlpatterns
        if isinstance(p, URLPattern) and p.name != "schema"
    }
    assert expected <= paths, sorted(expected - paths)
    assert len(expected) >= 18


def test_no_documentation_page_loads_anything_from_outside(people):
    """The intranets have no internet: the schema is a download; no page of the API refers to
    a CDN."""
    text = Client().get("/api/schema/").content.decode()
    assert "cdn." not in text and "unpkg" not in text and "jsdelivr" not in text
