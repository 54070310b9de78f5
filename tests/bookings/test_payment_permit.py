"""The permit a city office would accept: the ordinance line, the group's address, the payment
state (未納 with the deadline, then 納付済 with the receipt number), the seal, and PDF/UA tags."""

import io
import os
from datetime import timedelta

import pytest
from pypdf import PdfReader

from bookings import payment_settings
from bookings.desk_payments import record_payment
from bookings.fees import ensure_default_rules
from bookings.permits import permit_pdf
from bookings.rules import BookingRequest
from bookings.service import approve, request_booking
from bookings.tables import PaymentSettings
from center.accounts.actors import ActorRef
from center.lib.dates import today, wareki
from tests.helpers import login, make_calendar, make_group, make_room, make_user, post_form
from tests.snapshots import demo_center, snapshot_fixture

pytestmark = pytest.mark.anyio

STAFF = ActorRef(None, "desk", staff=True)
ORDINANCE = "苫小牧市市民活動センター条例第7条の規定により、次のとおり使用を許可します。"
SEAL_PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
    b"\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
@snapshot_fixture
async def approved(db):
    slots = await make_calendar()
    await ensure_default_rules()
    room = await make_room(
        code="hall", name_ja="多目的ホール", capacity=100, fees={"afternoon": (1200, 400)}, slot_ids=slots
    )
    user = await make_user("member1")
    group = await make_group(
        "苫小牧水彩画同好会",
        members=(user,),
        address="北海道苫小牧市本町1丁目2番3号",
        representative="水彩 花子",
    )
    day = today() + timedelta(days=20)
    booking_id = await request_booking(
        BookingRequest(
            room_id=room, day=day, slot_codes=["afternoon"], purpose="写生会", expected_head_count=12
        ),
        group,
        STAFF,
    )
    await payment_settings.save_payment_rules(
        {"pay_days_before": 3, "payment_instructions": "1階受付で現金でお支払いください。"}, STAFF
    )
    await payment_settings.save_permit_text({"ordinance_text": ORDINANCE}, STAFF)
    booking = await approve(booking_id, STAFF)
    return {"id": booking_id, "day": day, "fee": booking["fee_total"]}


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def keep(data: bytes, name: str) -> None:
    """Leave the PDF where a developer can look at it (PERMIT_PDF_DIR), for checking the layout."""
    folder = os.environ.get("PERMIT_PDF_DIR")
    if folder:
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)


async def test_an_unpaid_permit_says_unpaid_with_the_amount_and_the_deadline(approved):
    data = await permit_pdf(approved["id"])
    keep(data, "unpaid.pdf")
    text = pdf_text(data)
    assert "未納" in text
    assert f"¥{approved['fee']:,}" in text
    assert wareki(approved["day"] - timedelta(days=3)) in text


async def test_a_paid_permit_says_paid_with_the_receipt_number(approved):
    await record_payment(approved["id"], STAFF, approved["fee"], receipt_number="R2026-00777")
    data = await permit_pdf(approved["id"])
    keep(data, "paid.pdf")
    text = pdf_text(data)
    assert "納付済" in text
    assert "R2026-00777" in text
    assert "未納" not in text


async def test_the_permit_cites_the_ordinance_and_shows_the_groups_address(approved):
    text = pdf_text(await permit_pdf(approved["id"]))
    assert ORDINANCE in text
    assert "北海道苫小牧市本町1丁目2番3号" in text


async def test_the_permit_is_tagged_for_screen_readers(approved):
    root = PdfReader(io.BytesIO(await permit_pdf(approved["id"]))).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root


async def test_the_permit_prints_the_uploaded_seal_instead_of_the_empty_seal_box(approved):
    without = PdfReader(io.BytesIO(await permit_pdf(approved["id"])))
    assert "印" in without.pages[0].extract_text()
    assert not list(without.pages[0].images)
    await payment_settings.save_seal(SEAL_PNG, STAFF)
    data = await permit_pdf(approved["id"])
    keep(data, "seal.pdf")
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert len(list(page.images)) == 1
    assert (await PaymentSettings.select(PaymentSettings.seal_media_type).first())[
        "seal_media_type"
    ] == "image/png"


async def upload(client, content: bytes, filename: str, media_type: str):
    token = client.cookies.get("csrftoken")
    return await client.post(
        "/manage/permit-settings/seal",
        files={"seal": (filename, content, media_type)},
        data={"_csrf_token": token},
    )


@pytest.fixture
async def manager(client):
    await make_user("manager1", ("manager",))
    await login(client, "manager1")
    await client.get("/manage/permit-settings")
    return client


async def test_the_manager_saves_the_ordinance_line_on_the_permit_settings_page(manager):
    saved = await post_form(manager, "/manage/permit-settings", {"ordinance_text": ORDINANCE})
    assert saved.status_code == 303
    assert (await payment_settings.load_settings())["ordinance_text"] == ORDINANCE
    too_long = await post_form(manager, "/manage/permit-settings", {"ordinance_text": "条" * 301})
    assert too_long.status_code == 400 and 'id="ordinance_text-error"' in too_long.text
    assert (await payment_settings.load_settings())["ordinance_text"] == ORDINANCE


async def test_a_seal_upload_that_is_not_an_image_is_refused_and_nothing_is_stored(manager):
    refused = await upload(manager, b"%PDF-1.7 not a seal", "seal.png", "image/png")
    assert refused.status_code == 400
    assert "印影はJPEGまたはPNG形式の画像にしてください。" in refused.text
    assert (await payment_settings.load_settings())["seal_image"] is None


async def test_an_oversize_seal_upload_is_refused_and_nothing_is_stored(manager):
    refused = await upload(manager, SEAL_PNG + b"\0" * (5 * 1024 * 1024), "seal.png", "image/png")
    assert refused.status_code == 400
    assert "印影の画像は5MB以下にしてください。" in refused.text
    assert (await payment_settings.load_settings())["seal_image"] is None


async def test_an_uploaded_seal_is_shown_to_the_manager_and_can_be_removed(manager):
    saved = await upload(manager, SEAL_PNG, "seal.png", "image/png")
    assert saved.status_code == 303
    image = await manager.get("/manage/permit-settings/seal")
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    removed = await post_form(manager, "/manage/permit-settings/seal/remove")
    assert removed.status_code == 303
    assert (await payment_settings.load_settings())["seal_image"] is None


async def test_the_demo_centers_permits_cite_the_ordinance_and_show_the_group_address(db):
    from bookings.tables import Booking
    from center.accounts.tables import Group

    await demo_center()
    booking = await Booking.select().where(Booking.status == "approved").order_by(Booking.id).first()
    group = await Group.select().where(Group.id == booking["group"]).first()
    text = pdf_text(await permit_pdf(booking["id"]))
    assert "苫小牧市市民活動センター条例第7条の規定により" in text
    assert group["address"] and group["address"] in text
    assert "1階受付" in (await payment_settings.load_settings())["payment_instructions"]
