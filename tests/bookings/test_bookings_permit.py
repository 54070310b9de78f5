"""The permit PDF: real Japanese text read back from the PDF, and the signed check-in code."""

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from bookings.fees import ensure_default_rules
from bookings.permits import PermitUnavailable, parse_permit_code, permit_code, permit_pdf
from bookings.rules import BookingRequest
from bookings.service import approve, request_booking
from center.accounts.actors import ActorRef
from center.lib.dates import today, wareki
from center.lib.i18n import current_locale
from tests.helpers import make_calendar, make_group, make_room, make_user
from tests.snapshots import snapshot_fixture

pytestmark = pytest.mark.anyio

STAFF = ActorRef(None, "desk", staff=True)


@pytest.fixture
@snapshot_fixture
async def booking(db):
    slots = await make_calendar()
    await ensure_default_rules()
    room = await make_room(
        code="hall",
        name_ja="多目的ホール",
        name_en="Multi-purpose Hall",
        capacity=100,
        fees={"afternoon": (1200, 400)},
        slot_ids=slots,
    )
    user = await make_user("member1")
    group = await make_group(
        "いきいきシニアサロン若草", members=(user,), reduction="welfare", representative="苫小牧 花子"
    )
    day = today() + timedelta(days=20)
    booking_id = await request_booking(
        BookingRequest(
            room_id=room, day=day, slot_codes=["afternoon"], purpose="健康体操教室", expected_head_count=35
        ),
        group,
        STAFF,
    )
    return {"id": booking_id, "day": day}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages)


async def test_only_approved_bookings_have_a_permit(booking):
    with pytest.raises(PermitUnavailable):
        await permit_pdf(booking["id"])


async def test_the_permit_reads_back_in_japanese_with_the_era_date(booking):
    approved = await approve(booking["id"], STAFF)
    data = await permit_pdf(booking["id"])
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "使用許可書" in text.replace(" ", "")
    assert "いきいきシニアサロン若草" in text
    assert "多目的ホール" in text
    assert wareki(booking["day"]) in text.replace(" ", "")
    assert approved["permit_number"] in text
    assert "13:00" in text and "17:00" in text
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


async def test_the_permit_is_printed_in_english_on_request(booking):
    await approve(booking["id"], STAFF)
    token = current_locale.set("en")
    try:
        text = pdf_text(await permit_pdf(booking["id"]))
    finally:
        current_locale.reset(token)
    assert "Permit of use" in text
    assert "Multi-purpose Hall" in text


def test_the_check_in_code_is_signed():
    code = permit_code("2026-000123")
    assert parse_permit_code(code) == "2026-000123"
    assert parse_permit_code("2026-000123") == "2026-000123"  # typed at the desk
    forged = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert parse_permit_code(forged) is None
    assert parse_permit_code("CAC1:2026-000124:" + code.split(":")[2]) is None
