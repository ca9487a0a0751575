"""The public booking page `/book` in headless Chromium on a 360 px phone, against a real
booking_server on a manual clock: what can be booked, a day's slots with a full one, and the QR code
the kiosk scans."""

import re

import qrcode
from playwright.sync_api import Page, expect

from queue_server.qr_svg import qr_svg
from tests.booking_support import TUESDAY, seed_bookings
from tests.browser import fits_the_phone
from tests.support import LiveServer


def test_the_page_and_its_assets_are_public_and_hold_no_data(booking_server: LiveServer) -> None:
    page = booking_server.client().get("/book")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "预约取号" in page.text
    for asset in ("book.css", "book.js"):
        assert booking_server.client().get(f"/book/assets/{asset}").status_code == 200
    assert booking_server.client().get("/book/assets/other.js").status_code == 422


def test_the_qr_code_is_the_booking_code_drawn_as_svg(booking_server: LiveServer) -> None:
    answer = booking_server.client().get("/book/qr/ABCD2345")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/svg+xml"
    assert answer.text == qr_svg("ABCD2345")
    assert booking_server.client().get("/book/qr/abc").status_code == 422
    assert booking_server.client().get("/book/qr/11010519491231002X1").status_code == 422


def test_the_svg_holds_exactly_the_dark_modules_of_the_code() -> None:
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data("ABCD2345")
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)h1v1h-1z", qr_svg("ABCD2345"))}
    dark = {(x, y) for y, row in enumerate(matrix) for x, on in enumerate(row) if on}
    assert drawn == dark
    assert f'viewBox="0 0 {len(matrix)} {len(matrix)}"' in qr_svg("ABCD2345")


def test_pick_a_category_matter_day_and_see_the_slots_with_a_full_one(
    booking_server: LiveServer, phone: Page
) -> None:
    seed_bookings(booking_server.database_url, day=TUESDAY, slot="09:30", count=4)
    phone.goto(f"{booking_server.base_url}/book")
    page = phone.locator(".book-page")
    expect(page).to_have_attribute("data-state", "ready")
    expect(phone.locator("#hall")).to_have_value("main")
    expect(phone.locator("#category option")).to_have_text(["综合受理", "企业服务专区"])
    days = phone.locator("#days .choice")
    weekdays = ["8日周二", "9日周三", "10日周四", "11日周五", "14日周一"]
    expect(days).to_have_text([f"12月{day}" for day in weekdays])
    expect(phone.locator("#submit")).to_be_disabled()
    fits_the_phone(phone, "book-page-start")

    phone.select_option("#matter", "newborn")
    expect(phone.locator("#materials")).to_contain_text("出生医学证明")
    days.first.click()
    slots = phone.locator("#slots .choice")
    expect(slots).to_have_count(13)
    expect(slots.nth(0)).to_have_text("09:00–09:30余 4 个")
    full = slots.nth(1)
    expect(full).to_have_text("09:30–10:00已约满")
    expect(full.locator("input")).to_be_disabled()
    slots.nth(2).click()
    expect(phone.locator("#summary")).to_have_text("将预约：12月8日（周二） 10:00 · 综合受理")
    phone.fill("#id-number", "11010519491231002X")
    expect(phone.locator("#submit")).to_be_enabled()
    fits_the_phone(phone, "book-page-slots")

    phone.select_option("#category", "enterprise")
    expect(slots.nth(1)).to_have_text("09:30–10:00余 2 个")
    expect(phone.locator("#materials-box")).to_be_hidden()


def test_a_server_that_cannot_answer_is_said_plainly(
    booking_server: LiveServer, phone: Page
) -> None:
    phone.route("**/api/public/appointments/options", lambda route: route.abort())
    phone.goto(f"{booking_server.base_url}/book")
    expect(phone.locator("#error")).to_have_text("暂时无法获取可预约的时间，请检查网络后刷新本页")
    expect(phone.locator(".book-page")).to_have_attribute("data-state", "error")
    expect(phone.locator("#form")).to_be_hidden()
    fits_the_phone(phone, "book-page-error")


def choose_tuesday_at(phone: Page, base_url: str, slot_index: int) -> None:
    """Open the page, pick 新生儿出生 (综合受理) on Tuesday at the `slot_index`-th slot."""
    phone.goto(f"{base_url}/book")
    expect(phone.locator(".book-page")).to_have_attribute("data-state", "ready")
    phone.select_option("#matter", "newborn")
    phone.locator("#days .choice").first.click()
    expect(phone.locator("#slots .choice")).to_have_count(13)
    phone.locator("#slots .choice").nth(slot_index).click()


def test_book_see_the_code_and_qr_then_cancel(booking_server: LiveServer, phone: Page) -> None:
    choose_tuesday_at(phone, booking_server.base_url, 2)
    phone.fill("#id-number", "11010519491231002x")
    phone.fill("#phone", "13800138000")
    phone.click("#submit")

    done = phone.locator("#done")
    expect(done).to_be_visible()
    expect(phone.locator(".book-page")).to_have_attribute("data-state", "booked")
    code = phone.locator("#code").inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code), code
    booking = booking_server.client().get(f"/api/public/appointments/{code}").json()
    assert (booking["day"], booking["slot"]) == ("2026-12-08", "10:00")
    assert booking["matter"] == "新生儿出生"
    expect(phone.locator("#qr")).to_have_attribute("src", f"/book/qr/{code}")
    assert phone.locator("#qr").evaluate("img => img.complete && img.naturalWidth > 0")
    expect(phone.locator("#done-slot")).to_have_text("12月8日（周二） 10:00–10:30")
    expect(phone.locator("#done-person")).to_have_text("1****************X")
    expect(phone.locator("#check-in")).to_contain_text("12月8日 09:30 至 12月8日 10:40")
    expect(phone.locator("#done-materials")).to_contain_text("出生医学证明")
    expect(phone.locator("#cancel-text")).to_contain_text("12月8日 08:00 前取消")
    assert phone.locator("#id-number").input_value() == ""  # not kept in the page
    box = phone.locator("#code").bounding_box()
    assert box is not None and box["height"] >= 48, "the code is read at arm's length"
    fits_the_phone(phone, "book-page-booked")

    phone.click("#cancel")
    expect(phone.locator("#cancelled")).to_have_text("已取消这个预约。")
    expect(phone.locator("#cancel")).to_be_hidden()
    again = booking_server.client().get(f"/api/public/appointments/{code}").json()
    assert again["status"] == "cancelled"
    fits_the_phone(phone, "book-page-cancelled")


def test_a_slot_taken_meanwhile_is_refused_and_shown_full(
    booking_server: LiveServer, phone: Page
) -> None:
    choose_tuesday_at(phone, booking_server.base_url, 1)
    phone.fill("#id-number", "11010519491231002X")
    seed_bookings(booking_server.database_url, day=TUESDAY, slot="09:30", count=4)  # meanwhile
    phone.click("#submit")

    error = phone.locator("#error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("约满")
    expect(phone.locator(".book-page")).to_have_attribute("data-state", "refused")
    expect(phone.locator("#slots .choice").nth(1)).to_have_text("09:30–10:00已约满")
    expect(phone.locator("#done")).to_be_hidden()
    fits_the_phone(phone, "book-page-slot-full")


def test_a_wrong_id_number_is_said_without_repeating_it(
    booking_server: LiveServer, phone: Page
) -> None:
    choose_tuesday_at(phone, booking_server.base_url, 0)
    phone.fill("#id-number", "110105194912310021")  # the check digit should be X
    phone.click("#submit")
    error = phone.locator("#error")
    expect(error).to_contain_text("身份证号码有误")
    assert "110105194912310021" not in error.inner_text()
    expect(phone.locator("#form")).to_be_visible()
    fits_the_phone(phone, "book-page-bad-id")
