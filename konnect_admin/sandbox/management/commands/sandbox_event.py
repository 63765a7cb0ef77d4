"""Trigger a Fynd-side event, e.g. `sandbox_event assign_courier 17xxxxxxxxxxxxxxxxxx` or
`sandbox_event new_orders --count 5 --location BLR-ST-01`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from konnect_admin.sandbox import events
from konnect_admin.sandbox.statemachine import Refusal


class Command(BaseCommand):
    help = "Apply a Fynd-side event to a sandbox shipment (or create new orders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=events.ALL_EVENTS)
        parser.add_argument("shipment_id", nargs="?", default="", help="not for new_orders")
        parser.add_argument(
            "--item",
            action="append",
            default=[],
            dest="items",
            help="customer_cancel: an orderItemId to cancel (repeatable)",
        )
        parser.add_argument("--reason", default="", help="customer_return: the reason")
        parser.add_argument("--count", type=int, default=1, help="new_orders: how many")
        parser.add_argument("--location", default=None, help="new_orders: location code")
        parser.add_argument("--self-ship", action="store_true", help="new_orders: self-ship")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "new_orders":
                self_ship = True if options["self_ship"] else None
                created = events.new_orders(options["count"], options["location"], self_ship)
                for shipment in created:
                    self.stdout.write(f"{shipment.shipment_id} {shipment.location_code} placed")
                return
            if not options["shipment_id"]:
                raise CommandError(f"{action} needs a shipment id")
            shipment = events.shipment_event(
                action,
                options["shipment_id"],
                {"order_item_ids": options["items"], "reason": options["reason"]},
            )
        except Refusal as refusal:
            raise CommandError(refusal.message) from None
        self.stdout.write(
            json.dumps(
                {
                    "shipment": shipment.shipment_id,
                    "state": shipment.state,
                    "orderStatus": shipment.bucket,
                }
            )
        )
