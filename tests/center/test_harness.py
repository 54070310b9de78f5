"""The test harness's database reset (tests/conftest.py): every table emptied, ids from 1 again."""

from __future__ import annotations

import pytest
from piccolo.conf.apps import Finder

from center.accounts.tables import User
from tests.conftest import _empty_all_tables
from tests.helpers import make_group, make_room, make_user

pytestmark = pytest.mark.anyio


async def _row_counts() -> dict[str, int]:
    return {table._meta.tablename: await table.count() for table in Finder().get_table_classes()}


async def test_the_reset_empties_every_table_and_restarts_the_ids(db):
    user = await make_user("reset-check", roles=("manager",))
    await make_group("リセット確認", members=(user,))
    first_room = await make_room()
    await make_room(code="meeting2", name_ja="会議室2")
    assert sum((await _row_counts()).values()) >= 5

    await _empty_all_tables()

    assert {name: count for name, count in (await _row_counts()).items() if count} == {}
    assert await make_room() == first_room == 1
    assert await make_user("after-reset") == 1
    assert await User.count() == 1
