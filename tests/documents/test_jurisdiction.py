"""办法第四十条: a city adopts the system by writing its own policy object — its 办法's title
and number, its agencies' names — and its letters, pages and messages say so. Nothing else is
changed: the test swaps ``settings.LIFECYCLE_POLICY`` and renames the organisation records, as
a city's own deployment would have them."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.urls import reverse

from core import jurisdiction
from core.vocabulary import OrgKind
from documents import filings, storage
from lifecycle import policy as policy_module
from lifecycle.rules import BUREAU_HEAD
from tests.conftest import at

from . import pdfcheck
from .conftest import reviewed, through_joint_review

CITY = jurisdiction.Jurisdiction(
    region="哈尔滨市",
    regulation_title="哈尔滨市政务信息化项目建设管理办法",
    regulation_no="哈政办规〔2024〕7号",
    org_labels={
        OrgKind.BUREAU: "市营商环境局",
        OrgKind.CAC: "市委网信办",
        OrgKind.CRYPTO: "市密码管理局",
        OrgKind.DRC: "市发改委",
        OrgKind.FINANCE: "市财政局",
        OrgKind.GOVERNMENT: "市政府",
    },
)

CITY_RECORDS = {
    "bureau": ("哈尔滨市营商环境建设监督局", "哈营商"),
    "cac": ("中共哈尔滨市委网络安全和信息化委员会办公室", ""),
    "crypto": ("哈尔滨市密码管理局", ""),
    "drc": ("哈尔滨市发展和改革委员会", ""),
    "finance": ("哈尔滨市财政局", ""),
    "owner": ("哈尔滨市教育局", "哈教"),
}


@pytest.fixture
def city(settings, orgs):
    policy_module.CITY_TEST = dataclasses.replace(
        policy_module.HEILONGJIANG_2023, name="哈政办规〔2024〕7号", jurisdiction=CITY
    )
    settings.LIFECYCLE_POLICY = "lifecycle.policy.CITY_TEST"
    for key, (name, code) in CITY_RECORDS.items():
        orgs[key].name, orgs[key].code = name, code or orgs[key].code
        orgs[key].save()
    yield CITY
    del policy_module.CITY_TEST


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def letter_text(filing) -> str:
    with storage.open_file(filing.storage_key) as fh:
        return flat(pdfcheck.text(fh.read()))


def test_a_city_letter_cites_the_city_rules_and_names_the_city_agencies(city, project, people):
    project.owner.refresh_from_db()
    reviewed(through_joint_review(project, people), people)
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    text = letter_text(filing)
    assert "根据《哈尔滨市政务信息化项目建设管理办法》（哈政办规〔2024〕7号）第十条规定" in text
    assert "市营商环境局会同市委网信办、市密码管理局对项目申报材料进行了联合审核" in text
    assert text.startswith("哈尔滨市营商环境建设监督局文件") and "哈营商〔2025〕1号" in text
    assert "哈尔滨市教育局：" in text
    for provincial in ("黑龙江", "黑政办发", "省营商环境局", "省委网信办", "省国家密码管理局", "黑营商"):
        assert provincial not in text, provincial


def test_the_provincial_letter_is_unchanged_without_a_city_policy(project, people, bureau_code):
    reviewed(through_joint_review(project, people), people)
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    text = letter_text(filing)
    assert "根据《黑龙江省政务信息化项目建设管理办法（试行）》（黑政办发〔2023〕21号）第十条" in text
    assert "省营商环境局会同省委网信办、省国家密码管理局" in text


def test_pages_and_refusals_name_the_city(city, client, people, project):
    client.force_login(people.owner_preparer)
    body = client.get(reverse("home")).content.decode()
    assert "依据《哈尔滨市政务信息化项目建设管理办法》（哈政办规〔2024〕7号）" in body
    assert "黑政办发" not in body
    # Who may take a step is said with the city's names (the labels of the organisation kinds).
    assert BUREAU_HEAD.refusal(project, people.owner_head) == "须由市营商环境局办理"
    assert dict(OrgKind.choices)[OrgKind.FINANCE] == "市财政局"


def test_the_label_follows_the_policy_in_force(settings):
    assert str(OrgKind.BUREAU.label) == "省营商环境局"
    policy_module.CITY_TEST = dataclasses.replace(policy_module.HEILONGJIANG_2023, jurisdiction=CITY)
    try:
        settings.LIFECYCLE_POLICY = "lifecycle.policy.CITY_TEST"
        assert str(OrgKind.BUREAU.label) == "市营商环境局"
        assert str(OrgKind.POLICE.label) == "省公安厅"  # not renamed by the city: the provincial name
    finally:
        del policy_module.CITY_TEST
