"""Over real HTTP (pytest-django's live server): the same API, and faults acted out on the
socket: a reset drops the connection, a timeout answers too late for the client."""

from __future__ import annotations

import pytest
import requests
from django.conf import settings

from konnect_admin.sandbox.models import Effect, Shipment


@pytest.mark.django_db(transaction=True)
def test_real_http_with_reset_and_timeout_faults(live_server):
    base = f"{live_server.url}/sandbox/"
    credentials = {
        "username": settings.SANDBOX_COMPANY_USERNAME,
        "password": settings.SANDBOX_COMPANY_PASSWORD,
    }
    token = requests.get(base + "aggregator/v1/token", params=credentials, timeout=5).json()
    headers = {"x-access-token": token["access_token"]}
    departments = requests.get(base + "v3/catalog/departments", headers=headers, timeout=5)
    assert departments.json()["total"] == 12

    def knobs(**values):
        response = requests.put(
            base + "_control/api/faults", json=values, headers=headers, timeout=5
        )
        assert response.status_code == 200, response.text

    knobs(reset_rate=1, reset_apply_rate=0)
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "v3/catalog/departments", headers=headers, timeout=5)
    knobs(reset_rate=0, timeout_rate=1, timeout_seconds=1)
    placed = Shipment.objects.filter(state="placed", location_code="BHW-WH-01").first()
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            base + "oms/v3/shipment/confirm",
            json=[{"orderId": placed.shipment_id}],
            headers=headers,
            timeout=(5, 0.3),
        )
    knobs(timeout_rate=0)
    [fetched] = requests.get(
        base + "oms/v3/shipment", params={"orderId": placed.shipment_id}, headers=headers, timeout=5
    ).json()
    assert fetched["shipmentStatus"] == "bag_confirmed"
    assert Effect.objects.filter(operation="oms.confirm", key=placed.shipment_id).count() == 1
