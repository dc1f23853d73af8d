"""The simulated people of the load test (docs/reliability.md; run by `make load`).

Each simulated user signs in once, with the right password, as one demo account of its role
(web/demo.py: password demo12345; django-axes locks an account or an address only after
failures, so a correct sign-in never counts against it), and then browses as that role does:
mostly pages, a few safe writes. Every page a user asks for is one it found as a link on a page
it was shown (its home page, the list, a project page), so a user only asks for what its role may
see — any 4xx or 5xx is an error of the run. Writes send the CSRF token read from the form page
and must end as the service says they do (a redirect for a saved draft or a given opinion).

Roles (weights = share of the 50 users):
  * 部门经办人 (7 departments): home, list, project pages, material downloads, the new
    application form; the 农业农村厅 preparers also save their draft again (POST, unchanged).
  * 部门负责人: home, list, project pages, the plan page, the project ledger (xlsx).
  * 营商环境局审核人: home (the queues), list, project pages, the joint review page (第十条),
    the plan page (第十一条), the calls.
  * 网信办 / 密码管理局审核人: home, list, project pages, the joint review page, and renew their
    opinion on a project under joint review (POST, 第十条).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import sys
import time

from locust import HttpUser, between, task

sys.path.insert(0, os.path.dirname(__file__))
from forms import form_fields

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo12345")
#: LOAD_STEADY=1: reset the statistics once every user has signed in and opened its queue, so
#: the figures are those of people at work, without the storm of sign-ins of the first seconds
#: (each sign-in checks a PBKDF2 hash: CPU time of the server, docs/reliability.md).
STEADY = os.environ.get("LOAD_STEADY", "0") == "1"
_started = time.monotonic()
_signed_in = itertools.count(1)
# 农业农村厅 first: its draft (web/demo.py) is the one a preparer saves again.
DEPARTMENTS = ["agri", "edu", "health", "hrss", "market", "land", "emergency"]
LINK = re.compile(r'href="(/[^"#?]*)"')


def links(html: str, pattern: str) -> list[str]:
    rx = re.compile(pattern)
    return sorted({u for u in LINK.findall(html) if rx.fullmatch(u)})


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    accounts: list[str] = []

    def on_start(self) -> None:
        cls = type(self)
        if not hasattr(cls, "_counter"):
            cls._counter = itertools.count()
        self.username = self.accounts[next(cls._counter) % len(self.accounts)]
        self.projects: list[str] = []
        self.materials: list[str] = []
        self.pages: dict[str, list[str]] = {}
        self.client.get("/accounts/login/", name="sign-in page")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="sign in (POST)",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in of {self.username} answered {response.status_code}")
        # The queue first: the projects on the home page are the ones the person works on.
        queue = links(self.client.get("/", name="home (queues)").text, r"/projects/\d+/")
        for url in queue[:6]:
            self.open_project(url)
        self.project_list()
        if next(_signed_in) == self.environment.parsed_options.num_users and STEADY:
            self.environment.stats.reset_all()
            print(
                f"load: all {self.environment.parsed_options.num_users} users signed in after "
                f"{time.monotonic() - _started:.0f} s; statistics reset (LOAD_STEADY=1)",
                file=sys.stderr,
                flush=True,
            )

    def remember(self, html: str) -> None:
        self.projects = sorted(set(self.projects) | set(links(html, r"/projects/\d+/")))

    # --- the pages every role has -------------------------------------------------------

    @task(3)
    def home(self) -> None:
        self.remember(self.client.get("/", name="home (queues)").text)

    @task(3)
    def project_list(self) -> None:
        self.remember(self.client.get("/projects/", name="project list").text)

    @task(8)
    def project_page(self) -> None:
        if self.projects:
            self.open_project(random.choice(self.projects))

    def open_project(self, url: str) -> None:
        html = self.client.get(url, name="project page").text
        self.remember(html)
        self.materials = links(html, r"/documents/materials/\d+/download/") or self.materials
        for key, pattern in (
            ("review", r"/projects/\d+/review/"),
            ("opinion", r"/projects/\d+/opinion/"),
            ("application", r"/projects/\d+/application/"),
        ):
            found = links(html, pattern)
            if found:
                self.pages[key] = sorted(set(self.pages.get(key, [])) | set(found))

    def post_form(self, url: str, name: str, change: dict[str, str] | None = None) -> None:
        """GET the form page, send its fields back (with ``change``) and the CSRF token: the
        service must accept it (a redirect)."""
        page = self.client.get(url, name=f"{name} (form)")
        fields = [(k, v) for k, v in form_fields(page.text, "") if k not in (change or {})]
        fields += list((change or {}).items())
        with self.client.post(
            url,
            data=fields,
            headers={"Referer": self.host + url},
            allow_redirects=False,
            name=f"{name} (POST)",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{name}: {response.status_code}")


class Preparer(Person):
    """部门经办人."""

    weight = 18
    accounts = [f"{d}_preparer" for d in DEPARTMENTS]

    @task(3)
    def material_download(self) -> None:
        if self.materials:
            self.client.get(random.choice(self.materials), name="material download")

    @task(2)
    def application_form(self) -> None:
        self.client.get("/projects/new/", name="new application form")

    @task(2)
    def save_draft(self) -> None:
        drafts = self.pages.get("application")
        if drafts:
            self.post_form(random.choice(drafts), "save draft")


class Head(Person):
    """部门负责人."""

    weight = 8
    accounts = [f"{d}_head" for d in DEPARTMENTS]

    @task(2)
    def plan_page(self) -> None:
        plans = links(self.client.get("/plans/", name="plan list").text, r"/plans/\d+/")
        if plans:
            self.client.get(random.choice(plans), name="plan page")

    @task(1)
    def ledger(self) -> None:
        self.client.get("/exports/ledger/", name="ledger export (xlsx)")


class BureauReviewer(Person):
    """营商环境局审核人 and 负责人."""

    weight = 14
    accounts = ["bureau_reviewer", "bureau_head"]

    @task(3)
    def review_page(self) -> None:
        if self.pages.get("review"):
            self.client.get(random.choice(self.pages["review"]), name="joint review page")

    @task(2)
    def plan_page(self) -> None:
        html = self.client.get("/plans/", name="plan list").text
        plans = links(html, r"/plans/\d+/")
        if plans:
            self.client.get(random.choice(plans), name="plan page")

    @task(1)
    def calls(self) -> None:
        self.client.get("/calls/", name="calls (bureau)")


class AgencyReviewer(Person):
    """省委网信办 and 省国家密码管理局 审核人 (joint review, 办法第十条)."""

    weight = 10
    accounts = ["cac_reviewer", "crypto_reviewer"]

    @task(3)
    def review_page(self) -> None:
        if self.pages.get("review"):
            self.client.get(random.choice(self.pages["review"]), name="joint review page")

    @task(1)
    def renew_opinion(self) -> None:
        if self.pages.get("opinion"):
            self.post_form(
                random.choice(self.pages["opinion"]),
                "give opinion",
                {"conclusion": "approve", "text": "经审核，同意。（负载测试）"},
            )
