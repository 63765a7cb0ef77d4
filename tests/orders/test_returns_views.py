"""The returns pages through Django's test client: the queue and its lanes, the return page,
the QC form with photos, the credit note, crafted POSTs, and who may see what."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from konnect_admin.models import AuditEvent, Job
from konnect_admin.sandbox.models import Shipment as RemoteShipment
from orders import workflow
from orders.models import ReturnCheck, ReturnPhoto, Shipment
from tests.conftest import PASSWORD
from tests.orders.conftest import remote_state
from tests.orders.test_returns_photos import jpeg_header, png_bytes

pytestmark = pytest.mark.django_db

LIST = "/orders/returns/"
HX = {"HX-Request": "true"}
Pick = Callable[..., list[str]]
Drain = Callable[..., Any]


def ids_in(response: Any) -> list[str]:
    return [s.shipment_id for s in response.context["page"].rows]


def detail(sid: str) -> str:
    return f"/orders/returns/{sid}/"


def items_of(sid: str) -> list[str]:
    return [
        i.order_item_id
        for i in Shipment.objects.get(shipment_id=sid).items.all()
        if not i.is_cancelled
    ]


def qc_data(
    sid: str, decision: str = "accept", reason: str = "", extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for item_id in items_of(sid):
        data[f"decision_{item_id}"] = decision
        data[f"reason_{item_id}"] = reason
        data[f"note_{item_id}"] = ""
    data.update(extra or {})
    return data


@pytest.fixture
def delivered_back(pick: Pick) -> str:
    return pick("return_bag_delivered", forward=False, is_return=True)[0]


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_opens_on_returns_to_check_oldest_first(synced: None, admin_client: Any) -> None:
    response = admin_client.get(LIST)
    assert response.status_code == 200
    rows = response.context["page"].rows
    assert rows and all(r.state in workflow.DELIVERED_BACK for r in rows)
    assert {r.is_rto for r in rows} == {True, False}  # customer returns and RTOs together
    assert [r.order_date for r in rows] == sorted(r.order_date for r in rows)
    counts = {lane.key: lane.count for lane in response.context["lanes"]}
    returns = Shipment.objects.filter(lane="RETURNS")
    for lane in workflow.RETURN_LANES:
        expected = sum(1 for s in returns if workflow.return_lane_of(s) == lane.key)
        assert counts[lane.key] == expected, lane.key
    assert counts["REJECTED"] == 0 and counts["TO_CHECK"] == len(rows)
    assert sum(counts.values()) == returns.count()
    html = response.content.decode()
    assert 'aria-current="page"' in html and "To check" in html


def test_each_lane_shows_its_states(synced: None, admin_client: Any) -> None:
    for lane in workflow.RETURN_LANES:
        rows = admin_client.get(LIST, {"lane": lane.key}).context["page"].rows
        assert all(r.state in lane.states for r in rows), lane.key
    completed = admin_client.get(LIST, {"lane": "COMPLETED"})
    assert completed.context["page"].rows
    assert b"Credit note</th>" in completed.content  # the lane shows the credit note column


def test_filters_narrow_the_returns(synced: None, admin_client: Any) -> None:
    rtos = ids_in(admin_client.get(LIST, {"kind": "rto"}))
    assert rtos and all(Shipment.objects.get(shipment_id=s).is_rto for s in rtos)
    customer = ids_in(admin_client.get(LIST, {"kind": "return"}))
    assert customer and all(Shipment.objects.get(shipment_id=s).is_return for s in customer)
    assert set(rtos).isdisjoint(customer)
    here = ids_in(admin_client.get(LIST, {"location": "BLR-ST-01"}))
    assert here and {Shipment.objects.get(shipment_id=s).location_code for s in here} == {
        "BLR-ST-01"
    }
    row = Shipment.objects.filter(lane="RETURNS", is_return=True).first()
    assert row is not None
    for q in (row.shipment_id, row.forward_id, row.return_id):
        found = admin_client.get(LIST, {"q": q})
        assert ids_in(found) == [row.shipment_id] and found.context["page"].search
    # the forward shipment a return came from is not itself in the returns queue
    assert ids_in(admin_client.get(LIST, {"q": row.order_id})) == [row.shipment_id]


def test_a_warehouse_user_sees_only_their_locations_returns(
    synced: None, warehouse_client: Any
) -> None:
    for lane in workflow.RETURN_LANES:
        response = warehouse_client.get(LIST, {"lane": lane.key})
        codes = {Shipment.objects.get(shipment_id=s).location_code for s in ids_in(response)}
        assert codes <= {"BHW-WH-01"}, lane.key
    refused = warehouse_client.get(LIST, {"location": "BLR-ST-01"})
    assert {r.location_code for r in refused.context["page"].rows} <= {"BHW-WH-01"}
    other = Shipment.objects.filter(lane="RETURNS", location_code="BLR-ST-01").first()
    assert other is not None
    assert warehouse_client.get(detail(other.shipment_id)).status_code == 404


def test_htmx_gets_only_the_results_and_pages_are_keyset(
    synced: None, admin_client: Any, admin_user: Any
) -> None:
    response = admin_client.get(LIST, {"lane": "TO_CHECK"}, headers=HX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="return-results"') and "<html" not in html
    from orders.returns import return_queue
    from orders.selectors import QueueFilters

    walked: list[str] = []
    after = ""
    while True:
        page = return_queue(
            user=admin_user, filters=QueueFilters(lane="TO_CHECK"), after=after, per_page=3
        )
        walked += [r.shipment_id for r in page.rows]
        if not page.next_cursor:
            break
        after = page.next_cursor
    whole = return_queue(user=admin_user, filters=QueueFilters(lane="TO_CHECK"), per_page=500)
    assert walked == [r.shipment_id for r in whole.rows] and len(walked) > 3


def test_the_queue_runs_in_a_few_queries(
    synced: None, admin_client: Any, django_assert_max_num_queries: Any
) -> None:
    admin_client.get(LIST)
    with django_assert_max_num_queries(10):
        admin_client.get(LIST, {"lane": "TO_CHECK"})


# --- the return page --------------------------------------------------------------------------


def test_the_return_page_offers_only_valid_steps(pick: Pick, admin_client: Any) -> None:
    (back,) = pick("return_bag_delivered", forward=False, is_return=True)
    (accepted,) = pick("rto_bag_accepted", is_rto=True)
    (completed,) = pick("credit_note_generated", forward=False, is_return=True)
    (coming,) = pick("return_bag_in_transit", forward=False, is_return=True)
    page = admin_client.get(detail(back))
    html = page.content.decode()
    assert "Record quality check" in html and "Raise credit note" not in html
    assert page.context["qc_form"] is not None and page.context["credit_form"] is None
    for item_id in items_of(back):
        assert f'name="decision_{item_id}"' in html and f'name="photos_{item_id}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "tag_missing" in html and "fully_damaged" in html  # the reference 13.2 mapping
    forward = Shipment.objects.get(shipment_id=back).forward_id
    assert f"/orders/shipments/{forward}/" in html  # the shipment it came from
    html = admin_client.get(detail(accepted)).content.decode()
    assert "Raise credit note" in html and "Record quality check" not in html
    html = admin_client.get(detail(completed)).content.decode()
    remote = RemoteShipment.objects.get(shipment_id=completed)
    assert "Completed: credit note" in html and remote.credit_note_number in html
    assert "Record quality check" not in html and "Raise credit note" not in html
    html = admin_client.get(detail(coming)).content.decode()
    assert "On its way back" in html and "Record quality check" not in html


def test_the_shipment_page_of_a_return_points_to_its_return_page(
    delivered_back: str, pick: Pick, admin_client: Any
) -> None:
    html = admin_client.get(f"/orders/shipments/{delivered_back}/").content.decode()
    assert f'href="{detail(delivered_back)}"' in html and "customer return" in html
    (rto,) = pick("rto_bag_delivered", is_rto=True)
    html = admin_client.get(f"/orders/shipments/{rto}/").content.decode()
    assert f'href="{detail(rto)}"' in html and "came back undelivered (RTO)" in html


def test_a_forward_shipment_has_no_return_page(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("delivery_done")
    assert admin_client.get(detail(sid)).status_code == 404


def test_a_role_that_may_only_look_sees_no_steps(
    delivered_back: str, make_user: Any, merch_client: Any
) -> None:
    viewer = make_user("vikram", "Merchandiser")
    group, _ = Group.objects.get_or_create(name="Viewers")
    group.permissions.add(Permission.objects.get(codename="view_shipments"))
    viewer.groups.add(group)
    client = Client()
    client.login(username="vikram", password=PASSWORD)
    html = client.get(detail(delivered_back)).content.decode()
    assert "can look at returns but not check them" in html
    assert "Record quality check" not in html
    assert client.post(f"{detail(delivered_back)}qc/", qc_data(delivered_back)).status_code == 403
    assert merch_client.get(detail(delivered_back)).status_code == 403


def test_accept_then_credit_note_through_the_pages(
    delivered_back: str, admin_client: Any, drain_jobs: Drain
) -> None:
    sid = delivered_back
    response = admin_client.post(f"{detail(sid)}qc/", qc_data(sid))
    assert response.status_code == 302
    job = Job.objects.get(kind="return_qc")
    assert response["Location"] == f"{detail(sid)}?job={job.pk}"
    drain_jobs()
    page = admin_client.get(response["Location"])
    html = page.content.decode()
    assert page.context["shown_job"] == job and f"ojob-{job.pk}" in html
    assert "Return accepted" in html and "Good condition" in html
    assert "Raise credit note" in html
    today = timezone.localdate()
    response = admin_client.post(
        f"{detail(sid)}credit-note/",
        {"credit_note_number": "CN/BHW/VIEW/0001", "credit_note_date": today.isoformat()},
    )
    assert response.status_code == 302
    drain_jobs()
    html = admin_client.get(detail(sid)).content.decode()
    assert remote_state(sid) == "credit_note_generated"
    assert "CN/BHW/VIEW/0001" in html and today.strftime("%-d %b %Y") in html
    assert "Completed: credit note" in html


def test_the_qc_form_says_what_is_missing(delivered_back: str, admin_client: Any) -> None:
    sid = delivered_back
    first = items_of(sid)[0]
    response = admin_client.post(f"{detail(sid)}qc/", {})
    assert response.status_code == 422
    assert "Choose accept or reject." in response.content.decode()
    response = admin_client.post(f"{detail(sid)}qc/", qc_data(sid, "reject"))
    assert response.status_code == 422
    assert "Choose the condition that makes you reject this item." in response.content.decode()
    long_note = qc_data(sid, extra={f"note_{first}": "x" * 501})
    assert admin_client.post(f"{detail(sid)}qc/", long_note).status_code == 422
    assert not Job.objects.exists() and not ReturnCheck.objects.exists()


def test_a_rejection_with_a_note_and_photos(
    delivered_back: str,
    admin_client: Any,
    warehouse_client: Any,
    make_user: Any,
    drain_jobs: Drain,
    settings: Any,
) -> None:
    sid = delivered_back
    first = items_of(sid)[0]
    data = qc_data(sid, "reject", "package_damaged")
    data[f"note_{first}"] = "Box crushed; <script>alert(1)</script>"
    data[f"photos_{first}"] = [
        SimpleUploadedFile("front.png", png_bytes(40, 30), content_type="image/png"),
        SimpleUploadedFile("IMG_0001.HEIC.jpg", jpeg_header(), content_type="image/jpeg"),
    ]
    response = admin_client.post(f"{detail(sid)}qc/", data)
    assert response.status_code == 302
    drain_jobs()
    photos = list(ReturnPhoto.objects.order_by("pk"))
    assert [(p.content_type, p.width, p.height) for p in photos] == [
        ("image/png", 40, 30),
        ("image/jpeg", 640, 480),
    ]
    for photo in photos:
        stored = Path(settings.MEDIA_ROOT) / photo.image.name
        assert stored.is_file() and photo.image.name.startswith("returns/")
        assert "front" not in photo.image.name and "IMG" not in photo.image.name  # our names
    html = admin_client.get(detail(sid)).content.decode()
    assert "Rejected at QC" in html and "BAD · Package damaged" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for photo in photos:
        assert f'src="/orders/returns/photos/{photo.pk}/"' in html
    served = admin_client.get(f"/orders/returns/photos/{photos[0].pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes(40, 30)
    assert served["Cache-Control"] == "private, max-age=3600"
    # a warehouse user of the same location sees it; one of another location does not
    assert warehouse_client.get(f"/orders/returns/photos/{photos[0].pk}/").status_code == 200
    make_user("sunita", "Warehouse", locations=("BLR-ST-01",))
    other = Client()
    other.login(username="sunita", password=PASSWORD)
    assert other.get(f"/orders/returns/photos/{photos[0].pk}/").status_code == 404
    assert Client().get(f"/orders/returns/photos/{photos[0].pk}/").status_code == 302
    assert "/media/" not in html  # no public media URL anywhere


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("cat.png", b"<html>not an image</html>", content_type="image/png"),
            "cat.png is not a JPEG, PNG or WebP photo.",
        ),
        (
            SimpleUploadedFile("anim.gif", b"GIF89a" + b"\x00" * 40, content_type="image/gif"),
            "anim.gif is not a JPEG, PNG or WebP photo.",
        ),
        (
            SimpleUploadedFile("big.png", png_bytes(8, 8, pad_to=40_000), content_type="image/png"),
            "big.png is 0.0 MB; each photo may be at most 0.0 MB.",
        ),
    ],
)
def test_photos_that_are_not_small_images_are_refused(
    delivered_back: str, admin_client: Any, settings: Any, upload: Any, message: str
) -> None:
    settings.RETURNS_PHOTO_MAX_BYTES = 30_000
    sid = delivered_back
    first = items_of(sid)[0]
    data = qc_data(sid, "accept", extra={f"photos_{first}": [upload]})
    response = admin_client.post(f"{detail(sid)}qc/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ReturnPhoto.objects.exists() and not Job.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT)).glob("returns/**/*.*"))


def test_at_most_n_photos_per_item(delivered_back: str, admin_client: Any, settings: Any) -> None:
    settings.RETURNS_PHOTOS_PER_ITEM = 2
    sid = delivered_back
    first = items_of(sid)[0]
    files = [SimpleUploadedFile(f"p{n}.png", png_bytes(4, 4)) for n in range(3)]
    data = qc_data(sid, extra={f"photos_{first}": files})
    response = admin_client.post(f"{detail(sid)}qc/", data)
    assert response.status_code == 422 and "At most 2 photos per item." in response.content.decode()


def test_a_crafted_credit_note_on_a_return_not_accepted_is_refused_clearly(
    delivered_back: str, admin_client: Any, drain_jobs: Drain
) -> None:
    sid = delivered_back
    url = f"{detail(sid)}credit-note/"
    data = {"credit_note_number": "CN/CRAFTED/1", "credit_note_date": "2026-01-01"}
    response = admin_client.post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "That action was not sent" in html
    assert (
        f"Raise credit note is not possible for shipment {sid}: it must be accepted at quality"
        " check first" in html
    )
    # ... and the same once it is rejected at QC, with the reason in words
    admin_client.post(f"{detail(sid)}qc/", qc_data(sid, "reject", "lost"))
    drain_jobs()
    response = admin_client.post(url, data)
    assert response.status_code == 409
    assert "it was rejected at quality check, and a credit note is raised only for an accepted" in (
        response.content.decode()
    )
    htmx = admin_client.post(url, data, headers=HX)
    assert htmx.status_code == 409 and b'class="toast toast-error"' in htmx.content
    assert remote_state(sid) == "return_bag_delivered"
    assert not Job.objects.filter(kind="return_credit_note").exists()
    denied = AuditEvent.objects.filter(action="return.credit_note", outcome="denied")
    assert denied.count() == 3


def test_a_rejected_return_offers_only_an_acceptance_after_all(
    delivered_back: str, admin_client: Any, drain_jobs: Drain
) -> None:
    sid = delivered_back
    admin_client.post(f"{detail(sid)}qc/", qc_data(sid, "reject", "seal_opened"))
    drain_jobs()
    page = admin_client.get(detail(sid))
    html = page.content.decode()
    assert "Accept after all?" in html and "was rejected at quality check by asha" in html
    assert 'value="accept"' in html and 'value="reject"' not in html
    assert "Raise credit note" not in html
    # posting a second rejection anyway is refused in words
    response = admin_client.post(f"{detail(sid)}qc/", qc_data(sid, "reject", "lost"))
    assert response.status_code == 409
    assert "it is already rejected at quality check" in response.content.decode()


def test_a_crafted_qc_on_an_accepted_return_is_refused(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("return_bag_accepted", forward=False, is_return=True)
    response = admin_client.post(f"{detail(sid)}qc/", qc_data(sid, "reject", "lost"))
    assert response.status_code == 409
    assert "it must be delivered back to you" in response.content.decode()
    assert not ReturnCheck.objects.exists()


def test_the_credit_note_form_checks_its_fields(pick: Pick, admin_client: Any) -> None:
    (sid,) = pick("rto_bag_accepted", is_rto=True)
    url = f"{detail(sid)}credit-note/"
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = admin_client.post(url, {"credit_note_number": "CN 1", "credit_note_date": tomorrow})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Use up to 30 letters, digits" in html and "cannot be in the future" in html
    assert not Job.objects.exists()


def test_the_return_page_runs_in_a_bounded_number_of_queries(
    delivered_back: str, admin_client: Any, drain_jobs: Drain, django_assert_max_num_queries: Any
) -> None:
    sid = delivered_back
    first = items_of(sid)[0]
    photos = [SimpleUploadedFile(f"p{n}.png", png_bytes(4, 4)) for n in range(4)]
    admin_client.post(
        f"{detail(sid)}qc/", qc_data(sid, "reject", "lost", extra={f"photos_{first}": photos})
    )
    drain_jobs()
    admin_client.get(detail(sid))
    with django_assert_max_num_queries(18):
        page = admin_client.get(f"{detail(sid)}?job={Job.objects.get().pk}")
    assert page.content.decode().count('class="thumb"') == 4


def test_reading_a_return_changes_nothing(delivered_back: str, admin_client: Any) -> None:
    before = (Job.objects.count(), AuditEvent.objects.count(), ReturnCheck.objects.count())
    admin_client.get(detail(delivered_back))
    partial = admin_client.get(detail(delivered_back), headers=HX).content.decode()
    assert partial.lstrip().startswith('<div id="return-main"') and "<html" not in partial
    admin_client.get(LIST)
    assert (Job.objects.count(), AuditEvent.objects.count(), ReturnCheck.objects.count()) == before
