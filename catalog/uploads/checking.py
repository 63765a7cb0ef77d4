"""An upload's life: received (stored as sent), checked row by row in a Job, then, when the
user commits, turned into one write Job. Nothing reaches Konnect before the commit, and only
rows that passed every check are ever sent.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Category, Upload, UploadRow
from catalog.uploads.parsing import UploadRefused, inspect, open_sheet
from catalog.uploads.specs import SPECS, Spec, match_headers, products_spec
from catalog.uploads.validation import CheckResult, check_inventory, check_prices, ims_context
from konnect_admin.jobs.registry import Step
from konnect_admin.jobs.services import job_create
from konnect_admin.konnect import CATALOG_WRITE_LIMIT, IMS_WRITE_LIMIT
from konnect_admin.models import Job

logger = logging.getLogger(__name__)

KIND_CHECK = "upload_check"
KIND_PRODUCTS = "product_bulk_create"
ROW_INSERT_BATCH = 2_000
PROGRESS_EVERY = 5_000


class UploadError(Exception):
    """The upload cannot be accepted or committed; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def upload_receive(
    *,
    kind: str,
    filename: str,
    data: bytes,
    user: Any,
    category: Category | None = None,
    request: Any = None,
) -> Upload:
    """Store the file and start checking it. Cheap byte-level refusals (size, a program or a
    PDF in disguise, a zip bomb) raise UploadError at once and store nothing."""
    if kind not in Upload.Kind.values:
        raise UploadError("Choose what the file holds: products, prices or inventory.")
    limit = int(settings.UPLOAD_MAX_BYTES)
    if len(data) > limit:
        raise UploadError(
            f"The file is {len(data) / 1048576:,.1f} MB; the most one upload can be is"
            f" {limit / 1048576:,.0f} MB. Split it into smaller files."
        )
    if kind == Upload.Kind.PRODUCTS and category is None:
        raise UploadError("Choose the category of the products (its attributes are the columns).")
    try:
        file_format = inspect(data, filename)
    except UploadRefused as exc:
        raise UploadError(exc.message) from None
    with transaction.atomic():
        upload = Upload.objects.create(
            kind=kind,
            filename=filename[:255],
            file_format=file_format,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            content=data,
            category=category,
            template_slug=category.template_slug if category else "",
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        job = job_create(
            kind=KIND_CHECK,
            title=f"Check {upload.get_kind_display().lower()} file {filename[:200]}",
            created_by=user,
            params={"upload_id": upload.pk},
            total=1,
            audit_action="upload.receive",
            audit_object=("upload", str(upload.pk), filename),
            audit_after={"kind": kind, "file": filename, "bytes": len(data), "format": file_format},
            request=request,
        )
        upload.check_job = job
        upload.save(update_fields=["check_job"])
    return upload


def upload_spec(upload: Upload) -> Spec:
    if upload.kind == Upload.Kind.PRODUCTS:
        from catalog.selectors import attribute_definitions

        category = upload.category
        if category is None:
            raise UploadRefused("The category of this upload no longer exists.")
        return products_spec(attribute_definitions(category=category), category_name=category.name)
    return SPECS[upload.kind]


def upload_check(upload: Upload, *, progress: Any = None) -> CheckResult:
    """Parse and check the whole file (no network, no query per row)."""
    max_rows = int(settings.UPLOAD_MAX_ROWS)
    data = bytes(upload.content)
    sheet = open_sheet(data, upload.filename, max_rows=max_rows, file_format=upload.file_format)
    upload.dialect = sheet.dialect()
    upload.headers = sheet.headers
    spec = upload_spec(upload)
    match = match_headers(sheet.headers, spec)
    if match.errors:
        raise UploadRefused(" ".join(match.errors))
    if progress is not None:
        progress(0, sheet.estimated_rows)

    def on_rows(done: int) -> None:
        if progress is not None:
            progress(done, None)

    if upload.kind == Upload.Kind.PRODUCTS:
        from catalog.uploads.product_rows import ProductChecker, product_context

        checker = ProductChecker(spec, match, product_context(category=upload.category))
        result = checker.check(sheet, progress=on_rows)
    else:
        ctx = ims_context()
        check = check_inventory if upload.kind == Upload.Kind.INVENTORY else check_prices
        result = check(sheet, match, ctx, on_rows)
    result.notices = [*sheet.notices, *match.notices, *result.notices]
    if not result.rows:
        raise UploadRefused(
            "The file has column names but no data rows. Add one row per "
            + {
                "products": "size of a product",
                "prices": "SKU and location",
                "inventory": "SKU and location",
            }[upload.kind]
            + "."
        )
    return result


def _store(upload: Upload, result: CheckResult) -> None:
    UploadRow.objects.filter(upload=upload).delete()
    batch: list[UploadRow] = []
    for verdict in result.rows:
        batch.append(
            UploadRow(
                upload=upload,
                row=verdict.row,
                status=verdict.status,
                key=verdict.key[:300],
                payload=verdict.payload,
                before=verdict.before,
                errors=verdict.errors,
                summary=verdict.summary,
            )
        )
        if len(batch) == ROW_INSERT_BATCH:
            UploadRow.objects.bulk_create(batch)
            batch = []
    UploadRow.objects.bulk_create(batch)
    counts = result.counts()
    upload.total_rows = counts["total"]
    upload.valid_rows = counts["valid"]
    upload.invalid_rows = counts["invalid"]
    upload.changed_rows = counts["changed"]
    upload.unchanged_rows = counts["unchanged"]
    upload.uncached_rows = counts["uncached"]
    upload.notices = result.notices


def upload_check_run(job: Job) -> Step:
    """The check Job: one step, the whole file (its progress is written as it goes)."""
    upload = Upload.objects.get(pk=job.params["upload_id"])
    if upload.status != Upload.Status.CHECKING:
        return Step.done(status=Job.Status.SUCCEEDED, reason="Already checked")
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int | None) -> None:
        now = time.monotonic()
        if total is not None:
            Job.objects.filter(pk=job.pk).update(total=max(total, 1), done=0)
            job.total = max(total, 1)
        elif now - last[0] > 0.5:
            last[0] = now
            Job.objects.filter(pk=job.pk).update(
                done=min(done, job.total),
                total=max(job.total, done),
                message=f"{done:,} rows checked",
            )

    try:
        result = upload_check(upload, progress=progress)
    except Exception as exc:  # a refusal, or a bug: either way the upload must not hang
        if isinstance(exc, UploadRefused):
            message = exc.message
        else:
            logger.exception("checking upload %s failed", upload.pk)
            message = (
                "The file could not be checked because of an error on our side. Nothing was"
                " sent. Please tell your administrator (upload"
                f" {upload.pk})."
            )
        upload.status = Upload.Status.REFUSED
        upload.error = message
        upload.checked_at = timezone.now()
        upload.check_seconds = time.perf_counter() - started
        upload.save()
        UploadRow.objects.filter(upload=upload).delete()
        job.total = job.done = 1
        return Step.done(status=Job.Status.FAILED, reason=f"File refused: {message}"[:500])
    with transaction.atomic():
        _store(upload, result)
        upload.status = Upload.Status.CHECKED
        upload.error = ""
        upload.checked_at = timezone.now()
        upload.check_seconds = time.perf_counter() - started
        upload.save()
    job.total = job.done = upload.total_rows
    return Step.done(
        status=Job.Status.SUCCEEDED,
        reason=f"{upload.valid_rows:,} rows ready, {upload.invalid_rows:,} with errors",
    )


# --- commit ---------------------------------------------------------------------------------------


def upload_commit(
    *, upload: Upload, user: Any, request: Any = None, batch_size: int | None = None
) -> Job:
    """Turn the checked rows into one write Job; rows with errors are left out."""
    from catalog.ims_writes import KIND_INVENTORY, KIND_PRICE, ims_job_start

    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status == Upload.Status.COMMITTED or locked.commit_job_id:
            raise UploadError("This upload was already sent to Konnect.")
        if locked.status != Upload.Status.CHECKED:
            raise UploadError("Only a checked file can be sent.")
        valid = locked.rows.exclude(status=UploadRow.Status.INVALID)
        if locked.kind == Upload.Kind.PRODUCTS:
            valid = valid.filter(payload__isnull=False)
        count = valid.count()
        if not count:
            raise UploadError("No row of this file passed the checks, so there is nothing to send.")
        sample = list(valid.order_by("row").values_list("key", "payload", "before")[:10])
        title = f"{locked.get_kind_display()} upload {locked.filename[:150]}: {count:,}" + (
            " products" if locked.kind == Upload.Kind.PRODUCTS else " rows"
        )
        audit_object = ("upload", str(locked.pk), locked.filename)
        if locked.kind == Upload.Kind.PRODUCTS:
            job = job_create(
                kind=KIND_PRODUCTS,
                title=title,
                created_by=user,
                params={
                    "upload_id": locked.pk,
                    "template": locked.template_slug,
                    "batch_size": batch_size or CATALOG_WRITE_LIMIT,
                },
                total=count,
                audit_action="upload.commit",
                audit_object=audit_object,
                audit_before={"count": 0, "sample": []},
                audit_after={"count": count, "sample": [p for _, p, _ in sample]},
                request=request,
            )
        else:
            job = ims_job_start(
                kind=KIND_INVENTORY if locked.kind == Upload.Kind.INVENTORY else KIND_PRICE,
                user=user,
                title=title,
                total=count,
                upload_id=locked.pk,
                audit_action="upload.commit",
                audit_object=audit_object,
                audit_before={"count": count, "sample": [b for _, _, b in sample]},
                audit_after={"count": count, "sample": [p for _, p, _ in sample]},
                request=request,
                batch_size=batch_size or IMS_WRITE_LIMIT,
            )
        locked.commit_job = job
        locked.status = Upload.Status.COMMITTED
        locked.committed_at = timezone.now()
        locked.save(update_fields=["commit_job", "status", "committed_at"])
    return job
