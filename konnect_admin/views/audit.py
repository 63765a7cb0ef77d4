"""The audit log: filterable by user, action and date; exportable as CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from konnect_admin.access import VIEW_AUDIT, requires
from konnect_admin.csv_safety import safe_row
from konnect_admin.formatting import format_when
from konnect_admin.forms import AuditFilterForm
from konnect_admin.htmx import page_or_partial
from konnect_admin.models import AuditEvent
from konnect_admin.selectors import audit_actions, audit_list


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    form = AuditFilterForm(request.GET or None, actions=audit_actions())
    data = form.cleaned_data if form.is_valid() else {}
    events = audit_list(
        user_id=data.get("user"),
        action=data.get("action") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
    return form, events


@require_GET
@requires(VIEW_AUDIT)
@vary_on_headers("HX-Request")
def audit_list_view(request: HttpRequest) -> HttpResponse:
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = page_or_partial(request, "audit/list.html", "audit-results")
    return render(request, template, {"form": form, "page": page})


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@requires(VIEW_AUDIT)
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    _, events = _filtered(request)
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff"  # BOM so Excel reads UTF-8 (rupee sign, names)
        yield writer.writerow(
            [
                "time",
                "user",
                "action",
                "source",
                "object type",
                "object id",
                "object",
                "summary",
                "outcome",
                "job",
                "address",
                "before",
                "after",
            ]
        )
        event: AuditEvent
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                safe_row(
                    [
                        format_when(event.at, seconds=True),
                        event.actor,
                        event.action,
                        event.source,
                        event.object_type,
                        event.object_id,
                        event.object_repr,
                        event.summary,
                        event.get_outcome_display(),
                        event.job_id or "",
                        event.ip or "",
                        json.dumps(event.before, ensure_ascii=False)
                        if event.before is not None
                        else "",
                        json.dumps(event.after, ensure_ascii=False)
                        if event.after is not None
                        else "",
                    ]
                )
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
