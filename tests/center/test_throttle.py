"""The public forms' rate limit (check_rate): counting within the window, the window's edge, the
wait it names, pruning, and that it keeps buckets and addresses apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from center.accounts import throttle
from center.accounts.tables import RateEvent
from center.lib.db import write_transaction
from center.lib.i18n import current_locale, gettext

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def send(at: datetime, key: str = "192.0.2.1", bucket: str = "test.form", limit: int = 3) -> None:
    await throttle.check_rate(bucket, key, limit=limit, window=HOUR, now=at)


async def test_submissions_up_to_the_limit_are_recorded_and_the_next_is_refused(db):
    for minute in range(3):
        await send(T0 + timedelta(minutes=minute))
    with pytest.raises(throttle.TooManySubmissions) as refused:
        await send(T0 + timedelta(minutes=3))
    assert refused.value.status_code == 429
    assert await RateEvent.count() == 3  # the refusal itself is not recorded


async def test_an_event_exactly_one_window_old_no_longer_counts(db):
    for minute in range(3):
        await send(T0 + timedelta(minutes=minute))
    with pytest.raises(throttle.TooManySubmissions):
        await send(T0 + HOUR - timedelta(seconds=1))
    await send(T0 + HOUR)  # the first event has left the window


async def test_the_refusal_names_the_wait_until_the_oldest_event_leaves_the_window(db):
    for minute in (0, 10, 20):
        await send(T0 + timedelta(minutes=minute))
    with pytest.raises(throttle.TooManySubmissions) as refused:
        await send(T0 + timedelta(minutes=30, seconds=30))
    assert refused.value.retry_after == 29 * 60 + 30
    token = current_locale.set("en")
    try:
        english = gettext(refused.value.message, **refused.value.params)
    finally:
        current_locale.reset(token)
    assert english == (
        "Too many submissions from this connection. Please try again in 30 minutes, or call the center."
    )
    assert gettext(refused.value.message, **refused.value.params) == (
        "この接続からの送信が多すぎます。30分後にもう一度お試しいただくか、センターへお電話ください。"
    )


async def test_a_wait_under_a_minute_says_a_minute(db):
    for _ in range(3):
        await send(T0)
    with pytest.raises(throttle.TooManySubmissions) as refused:
        await send(T0 + HOUR - timedelta(seconds=5))
    assert refused.value.retry_after == 5
    assert "in a minute" in refused.value.message


async def test_events_older_than_the_window_are_pruned_from_their_bucket_only(db):
    await send(T0, key="192.0.2.1")
    await send(T0, key="192.0.2.2")
    await send(T0, key="192.0.2.1", bucket="other.form")
    await send(T0 + HOUR + timedelta(minutes=1), key="192.0.2.3")
    rows = await RateEvent.select(RateEvent.bucket, RateEvent.key).order_by(RateEvent.id)
    assert [(r["bucket"], r["key"]) for r in rows] == [
        ("other.form", "192.0.2.1"),
        ("test.form", "192.0.2.3"),
    ]


async def test_another_address_or_another_form_has_its_own_count(db):
    for _ in range(3):
        await send(T0)
    await send(T0, key="2001:db8::1")
    await send(T0, bucket="other.form")
    with pytest.raises(throttle.TooManySubmissions):
        await send(T0)


async def test_a_long_key_is_cut_to_the_column_length(db):
    key = "x" * 100
    for _ in range(3):
        await send(T0, key=key)
    with pytest.raises(throttle.TooManySubmissions):
        await send(T0, key=key)
    assert {r["key"] for r in await RateEvent.select(RateEvent.key)} == {"x" * throttle.KEY_LENGTH}


async def test_it_refuses_to_run_inside_another_transaction(db):
    with pytest.raises(RuntimeError):
        async with write_transaction():
            await send(T0)
    assert await RateEvent.count() == 0
