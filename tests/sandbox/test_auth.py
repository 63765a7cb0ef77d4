"""Tokens, their lifetime and scope, and the transport-level conventions of the contract."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from konnect_admin.sandbox import ids
from konnect_admin.sandbox.api import REQUEST_ID_HEADER
from tests.sandbox.helpers import place_order, refused

pytestmark = pytest.mark.django_db


def test_company_and_location_credentials_give_tokens(anonymous):
    response = anonymous.get(
        "aggregator/v1/token",
        params={
            "username": settings.SANDBOX_COMPANY_USERNAME,
            "password": settings.SANDBOX_COMPANY_PASSWORD,
        },
    )
    body = response.json()
    assert set(body) == {"access_token", "status"}
    assert body["status"] == "success"
    assert len(body["access_token"]) >= 40
    location = anonymous.get(
        "aggregator/v1/token", params={"username": "loc-blr-st-01", "password": "sandbox-BLR-ST-01"}
    )
    assert location.status_code == 200


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"username": "sandbox-company", "password": "nope"}, 401),
        ({"username": "loc-blr-st-01", "password": "sandbox-GGN-DS-01"}, 401),
        ({"username": "sandbox-company"}, 400),
        ({"password": "x"}, 400),
    ],
)
def test_token_refusals(anonymous, params, status):
    response = anonymous.get("aggregator/v1/token", params=params)
    assert response.status_code == status
    body = response.json()
    assert body["status"] == "error"
    assert body["code"] in ("UNAUTHORIZED", "VALIDATION_FAILED")


def test_every_api_call_needs_a_valid_token(sandbox_http, anonymous, api):
    missing = anonymous.get("v3/catalog/departments")
    assert (missing.status_code, missing.json()["code"]) == (401, "UNAUTHORIZED")
    unknown = anonymous.get("v3/catalog/departments", headers={"x-access-token": "x" * 43})
    assert unknown.status_code == 401
    assert api.get("v3/catalog/departments").status_code == 200


def test_tokens_expire_after_the_ttl(api, later):
    later.advance(settings.SANDBOX_TOKEN_TTL - 5)
    assert api.get("v3/catalog/departments").status_code == 200
    later.advance(10)
    response = api.get("v3/catalog/departments")
    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_location_token_scope(api, location_api):
    blr = location_api("BLR-ST-01")
    own = blr.get("oms/v3/shipment", params={"orderStatus": "CREATED"}).json()
    assert own
    assert {s["locationCode"] for s in own} == {"BLR-ST-01"}
    other = blr.get(
        "oms/v3/shipment", params={"orderStatus": "CREATED", "locationCode": "GGN-DS-01"}
    )
    assert (other.status_code, other.json()["code"]) == (403, "FORBIDDEN")
    company = api.get("oms/v3/shipment", params={"orderStatus": "CREATED"})
    assert company.status_code == 400  # a company token must name the location
    s = place_order("GGN-DS-01").shipment_id
    refused(blr.post("oms/v3/shipment/confirm", json=[{"orderId": s}]), "O422")
    record = {"location_id": "GGN-DS-01", "sku": _any_sku(api), "quantity": 3}
    body = blr.put("ims/v3/inventory", json=[record]).json()
    assert body["data"]["errors"][0]["code"] == "IMS403"
    assert blr.get("v3/catalog/departments").status_code == 200  # catalog is company-wide
    control = blr.get("_control/api/effects")
    assert control.status_code == 403


def _any_sku(api):
    return api.get("ims/v3/listings", params={"page_size": 1}).json()["data"][0]["sku"]


def test_integration_id_is_constant_per_credential(api, location_api):
    first = api.get("ims/v3/listings/count").json()["meta"]
    second = api.get("ims/v3/listings/count").json()["meta"]
    assert (
        first["integrationId"]
        == second["integrationId"]
        == ids.integration_id(settings.SANDBOX_COMPANY_USERNAME)
    )
    assert first["ack_id"] != second["ack_id"]
    assert re.fullmatch(r"[0-9a-f]{24}", first["ack_id"])
    other = location_api("BHW-WH-01").get("ims/v3/listings/count").json()["meta"]
    assert other["integrationId"] != first["integrationId"]


def test_unknown_route_wrong_method_and_request_id(api):
    unknown = api.get("v3/catalog/nothing")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "NOT_FOUND")
    wrong = api.get("oms/v3/shipment/confirm")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "METHOD_NOT_ALLOWED")
    assert wrong.headers["Allow"] == "POST"
    assert re.fullmatch(
        r"[0-9a-f]{24}", api.get("v3/catalog/departments").headers[REQUEST_ID_HEADER]
    )


def test_bodies_must_be_json(api):
    text = api.post("oms/v3/shipment/confirm", data="[]", headers={"Content-Type": "text/plain"})
    assert text.status_code == 400
    assert "Content-Type" in text.json()["message"]
    broken = api.post(
        "oms/v3/shipment/confirm", data="[{", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert "JSON" in broken.json()["message"]
