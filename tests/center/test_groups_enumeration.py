"""The public group registration form cannot be used to list the user names that exist: the rate
limit comes before any name is looked up, and an application is told of one taken name at most."""

import re

import pytest

from center.accounts.tables import Group, User
from center.lib.settings import get_settings
from tests.center.test_groups_registration import application
from tests.helpers import make_user, post_form

pytestmark = pytest.mark.anyio

TAKEN = "そのユーザー名はすでに使われています。"


def five_members(*names: str) -> dict:
    rows = {}
    for row, name in enumerate(names):
        rows |= {
            f"member{row}_username": name,
            f"member{row}_display_name": f"会員 {row}",
            f"member{row}_password": "correct horse battery",
            f"member{row}_confirm": "correct horse battery",
        }
    return application(**rows)


def flagged_fields(html: str) -> list[str]:
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    return re.findall(r'href="#([^"]+)"', summary)


async def test_an_application_naming_five_taken_user_names_is_told_of_one_only(client):
    names = ("aki", "fuyu", "haru", "natsu", "sora")
    for name in names:
        await make_user(name)
    response = await post_form(client, "/groups/apply", five_members(*names))
    assert response.status_code == 400
    assert response.text.count(TAKEN) >= 1
    assert flagged_fields(response.text) == ["member0_username"]
    assert await Group.count() == 0 and await User.count() == len(names)


async def test_looking_up_user_names_counts_against_the_hourly_limit_before_any_lookup(client):
    await make_user("aki")
    limit = get_settings().group_applications_per_hour
    for n in range(limit):
        probe = await post_form(client, "/groups/apply", five_members("aki", f"guess{n}"))
        assert probe.status_code == 400 and TAKEN in probe.text
    refused = await post_form(client, "/groups/apply", five_members("aki", "guess-last"))
    assert refused.status_code == 429
    assert TAKEN not in refused.text
    assert int(refused.headers["retry-after"]) > 0
