"""One soak run on one stack: the real processes, the work, the kills, the outage, the verdict.

Runs in the harness process after Django was set up against the run's own database (see
__main__.py); the web server, worker and beat are separate processes sharing that database,
the broker and the cache. The harness submits work the way the dashboard does, through the
upload and shipment action services, and then only watches: every Konnect call is made by the
worker.
"""

from __future__ import annotations

import glob
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from django.utils import timezone

from tests.soak import config, ledger, procs
from tests.soak.config import Scale

POLL = 0.5
WRITE_KINDS = tuple(ledger.OPERATION_OF_KIND)
SHIPMENT_ACTIONS = ("confirm", "invoice", "pack", "dispatch")
R6_MARGIN = 60.0  # R6: every in-flight item done within the recovery bound + 60 s


def log(started: float, message: str) -> None:
    print(f"[{time.monotonic() - started:7.1f}s] {message}", flush=True)


class Sandbox:
    """The sandbox's control API (never subject to faults), with a company token."""

    def __init__(self, base_url: str) -> None:
        from django.conf import settings

        self.base = base_url + "sandbox/"
        self.http = requests.Session()
        answer = self.http.get(
            self.base + "aggregator/v1/token",
            params={
                "username": settings.SANDBOX_COMPANY_USERNAME,
                "password": settings.SANDBOX_COMPANY_PASSWORD,
            },
            timeout=30,
        )
        answer.raise_for_status()
        self.http.headers["x-access-token"] = answer.json()["access_token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(
            method, self.base + "_control/api/" + path, json=body, timeout=60
        )
        answer.raise_for_status()
        return answer.json()

    def faults(self, knobs: dict[str, object]) -> dict[str, Any]:
        return dict(self.call("PUT", "faults", knobs)["faults"])

    def effects(self) -> dict[tuple[str, str], int]:
        return ledger.effect_counts(self.call("GET", "effects?keys=1")["keys"])


def wait_http(url: str, proc: procs.Proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise RuntimeError(f"{proc.name} exited; see its log")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def wait_jobs(ids: list[int], timeout: float, what: str) -> None:
    from konnect_admin.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Job.objects.filter(pk__in=ids).exclude(status__in=Job.TERMINAL).exists():
            return
        time.sleep(POLL)
    raise RuntimeError(f"{what} did not finish within {timeout:.0f} s")


# --- the work ------------------------------------------------------------------------------


@dataclass
class Upload:
    kind: str
    name: str
    data: bytes
    category: Any = None
    upload_id: int | None = None
    job_id: int | None = None  # the write Job, once committed


class Uploads:
    """Product uploads, each followed by an inventory upload for its SKUs once its products
    are created (the inventory check needs them in the product cache)."""

    def __init__(self, soak: Soak) -> None:
        from tests.benchmarks.uploads import SIZES, _products_file

        self.soak = soak
        scale = soak.scale
        per_upload = scale.products // scale.uploads
        self.products: list[Upload] = []
        self.skus: list[list[str]] = []
        for n in range(scale.uploads):
            prefix = f"SOAK{n + 1}"
            data = _products_file(soak.category, per_upload, SIZES, prefix)
            self.products.append(Upload("products", f"{prefix}.csv", data, soak.category))
            self.skus.append([f"{prefix}-{i:05d}-{s}" for i in range(per_upload) for s in SIZES])
        self.inventory: list[Upload | None] = [None] * scale.uploads
        self.problems: list[str] = []

    def pairs(self, n: int) -> list[tuple[str, str]]:
        from tests.benchmarks.uploads import LOCATIONS

        return [(sku, loc) for sku in self.skus[n] for loc in LOCATIONS]

    def inventory_file(self, n: int) -> bytes:
        rows = self.soak.scale.inventory_rows // self.soak.scale.uploads
        return _stock_csv(self.pairs(n)[:rows], base=500)

    def outage_file(self) -> bytes:
        scale = self.soak.scale
        main, extra = scale.inventory_rows // scale.uploads, scale.outage_rows // scale.uploads
        pairs = [p for n in range(scale.uploads) for p in self.pairs(n)[main : main + extra]]
        return _stock_csv(pairs, base=700)

    @property
    def done(self) -> bool:
        return all(u is not None and u.job_id for u in self.inventory) and self._all_terminal()

    def stock_to_come(self) -> bool:
        """Whether a stock upload is not committed yet."""
        return not all(u is not None and u.job_id for u in self.inventory)

    def _all_terminal(self) -> bool:
        from konnect_admin.models import Job

        ids = [u.job_id for u in [*self.products, *self.inventory] if u is not None and u.job_id]
        return not Job.objects.filter(pk__in=ids).exclude(status__in=Job.TERMINAL).exists()

    def step(self) -> None:
        from konnect_admin.models import Job

        for n, upload in enumerate(self.products):
            self.advance(upload)
            if self.inventory[n] is None and upload.job_id:
                job = Job.objects.get(pk=upload.job_id)
                if job.is_terminal:
                    self.inventory[n] = Upload(
                        "inventory", f"STOCK{n + 1}.csv", self.inventory_file(n)
                    )
        for maybe in self.inventory:
            if maybe is not None:
                self.advance(maybe)

    def advance(self, upload: Upload) -> None:
        """Receive, then commit once checked (what an admin does on the uploads page)."""
        from catalog.models import Upload as UploadRow
        from catalog.uploads.checking import upload_commit, upload_receive

        if upload.upload_id is None:
            received = upload_receive(
                kind=upload.kind,
                filename=upload.name,
                data=upload.data,
                user=self.soak.user,
                category=upload.category,
            )
            upload.upload_id = received.pk
            log(self.soak.t0, f"received {upload.name} (upload {received.pk})")
            return
        if upload.job_id is not None:
            return
        row = UploadRow.objects.get(pk=upload.upload_id)
        if row.status == UploadRow.Status.REFUSED:
            self.problems.append(f"{upload.name} refused: {row.error}")
            upload.job_id = -1
        elif row.status == UploadRow.Status.CHECKED:
            if row.invalid_rows:
                self.problems.append(f"{upload.name}: {row.invalid_rows} rows did not pass")
            job = upload_commit(upload=row, user=self.soak.user)
            upload.job_id = job.pk
            log(self.soak.t0, f"committed {upload.name}: job {job.pk}, {row.valid_rows} rows")


def _stock_csv(pairs: list[tuple[str, str]], base: int) -> bytes:
    from tests.benchmarks.uploads import _csv

    return _csv(
        [["SKU", "Location", "Quantity"]]
        + [[sku, loc, base + n % 97] for n, (sku, loc) in enumerate(pairs)]
    )


class Shipments:
    """New orders taken through confirm, invoice (one at a time, as the dashboard requires),
    pack and dispatch: each next action starts once the previous one's Jobs have finished, on
    the shipments it succeeded for."""

    def __init__(self, soak: Soak, ids: list[str]) -> None:
        self.soak = soak
        self.ids = ids
        self.phase = 0
        self.jobs: list[int] = []
        self.started: Counter[str] = Counter()
        self.refused: list[str] = []

    @property
    def done(self) -> bool:
        return self.phase >= len(SHIPMENT_ACTIONS)

    def step(self) -> None:
        from konnect_admin.models import Job, JobItem

        if self.done:
            return
        if self.jobs:
            if Job.objects.filter(pk__in=self.jobs).exclude(status__in=Job.TERMINAL).exists():
                return
            self.ids = list(
                JobItem.objects.filter(job_id__in=self.jobs, status=JobItem.Status.SUCCEEDED)
                .order_by("key")
                .values_list("key", flat=True)
            )
            self.jobs = []
            self.phase += 1
            if self.phase >= len(SHIPMENT_ACTIONS):
                return
        action = SHIPMENT_ACTIONS[self.phase]
        killer, uploads = self.soak.killer, self.soak.uploads
        held = killer is not None and not killer.done and uploads is not None and not uploads.done
        if action == SHIPMENT_ACTIONS[-1] and held:
            return  # kept back as work for the kills to interrupt, should they need it
        self.start(action)

    def start(self, action: str) -> None:
        from orders.services import ActionRefused, shipment_action_start

        refused: list[tuple[str, str]] = []
        batches = [[sid] for sid in self.ids] if action == "invoice" else [self.ids]
        for ids in batches:
            options = {"invoice_number": f"SK{ids[0][-12:]}"} if action == "invoice" else {}
            try:
                started = shipment_action_start(
                    user=self.soak.user, action=action, shipment_ids=ids, options=options
                )
            except ActionRefused as exc:
                refused += exc.refusals or [(ids[0], exc.message)]
                continue
            self.jobs.append(started.job.pk)
            self.started[action] += len(started.accepted)
            refused += started.refused
        self.refused += [f"{action} {sid}: {why}" for sid, why in refused]
        log(
            self.soak.t0,
            f"{action}: {self.started[action]} shipments in {len(self.jobs)} job(s)"
            + (f", {len(refused)} refused" if refused else ""),
        )
        if not self.jobs:
            self.phase = len(SHIPMENT_ACTIONS)  # nothing left to take further


# --- kills and their recovery ---------------------------------------------------------------------


@dataclass
class Kill:
    what: str
    at: float  # monotonic
    at_s: float  # since the main phase started
    pid: int
    hit_call: bool
    in_flight: set[int]  # unsettled JobItems of the Jobs leased at the kill
    running: dict[int, Any]  # Job id -> lease_expires_at, leased at the kill
    wall: Any = None  # timezone.now() at the kill, to compare with leases
    idle: bool = False  # the child ran no task: recovered once the pool takes a task again
    recovered_at: float | None = None

    def as_dict(self, bound: float) -> dict[str, Any]:
        recovery = round(self.recovered_at - self.at, 1) if self.recovered_at else None
        return {
            "what": self.what,
            "at_s": round(self.at_s, 1),
            "pid": self.pid,
            "in_a_konnect_call": self.hit_call,
            "idle": self.idle,  # recovery: until the pool took a task again
            "in_flight_items": len(self.in_flight),
            "leased_jobs": len(self.running),
            "recovery_s": recovery,
            "bound_s": bound,  # Job lease + one sweep (+ the read-back wait of product creates)
            "recovery_over_bound": round(recovery / bound, 2) if recovery else None,
            "r6_bound_s": bound + R6_MARGIN,  # quality target R6: + 60 s
        }


@dataclass
class Killer:
    """SIGKILL two pool children and the main worker process, each while a write Job holds a
    live lease (not one left behind by an earlier kill), and restart the main process a
    second later:

    1. an idle pool child, running no task (it waits on the pipe the children share: see
       konnect_admin/worker_pool.py);
    2. a pool child in the middle of a Konnect call;
    3. the main process, while a leased write Job has unfinished items, preferably with a
       write on the wire.

    Stock Jobs are preferred for 2 and 3 (for PATIENCE seconds, while a live one exists) so
    that the serial shipment chain is not the one held up by a lease. Once the uploads are
    over, any leased write Job will do (the chain keeps its last action back until then)."""

    soak: Soak
    kills: list[Kill] = field(default_factory=list)
    restart_at: float | None = None
    gave_up: bool = False

    PLAN = ("pool child", "pool child", "main process")
    PATIENCE = 20.0  # seconds to wait for the moment planned before settling for less

    @property
    def done(self) -> bool:
        finished = len(self.kills) == len(self.PLAN) or self.gave_up
        return finished and self.restart_at is None

    def give_up(self) -> None:
        """Called when the work is over: kills that found no moment will not happen."""
        self.gave_up = True

    def step(self) -> None:
        now = time.monotonic()
        if self.restart_at is not None and now >= self.restart_at:
            self.soak.restart_worker()
            self.restart_at = None
        for kill in self.kills:
            if kill.recovered_at is None and _recovered(kill):
                kill.recovered_at = now
                log(self.soak.t0, f"recovered from the {kill.what} kill in {now - kill.at:.1f} s")
        if len(self.kills) == len(self.PLAN) or self.restart_at is not None or self.gave_up:
            return
        last = self.kills[-1].at if self.kills else self.soak.t0
        waited = now - last - (self.soak.scale.kill_gap if self.kills else 3.0)
        if waited < 0:
            return
        n = len(self.kills)
        uploads = self.soak.uploads
        last_resort = uploads is not None and uploads.done
        patient = waited < self.PATIENCE and not last_resort
        leases = _live_leases(self.kills)
        stock = {pk for pk, kind in leases.items() if kind == "inventory_update"}
        only_stock = bool(stock) and len(stock) == len(leases)
        stock_ahead = uploads is not None and uploads.stock_to_come()
        waiting_for_stock = stock_ahead or _live_stock_job(self.kills)
        if n >= 1 and patient and not only_stock and waiting_for_stock:
            return  # wait until only stock Jobs are leased
        hit_before = {pk for k in self.kills for pk in k.running}
        fresh = {pk: kind for pk, kind in leases.items() if pk not in hit_before}
        if n == 2 and (fresh or not last_resort):  # a Job no kill has held up yet
            leases = fresh
        running = _lease_values(list(leases))
        if not running:
            return
        in_flight, sending = _unsettled(list(running))
        worker = self.soak.worker
        assert worker is not None
        busy = procs.busy_children(worker.pid, self.soak.port)
        idle: list[int] = []
        if n == 2:
            if (not in_flight and not last_resort) or (patient and not sending):
                return  # unfinished items under the lease, rather with a write on the wire
            pid, hit = worker.pid, bool(busy)
        else:
            idle = procs.idle_children(worker.pid, self.soak.port, self.soak.database)
            pool = idle if n == 0 else busy
            if not pool and not patient:
                pool = procs.children(worker.pid)
            if not pool:
                return
            pid = random.choice(pool)
            hit = pid in busy
        if not procs.kill(pid):
            return
        at = time.monotonic()
        what = self.PLAN[n] if n == 2 else _child_label(pid, busy, idle)
        kill = Kill(what, at, at - self.soak.t0, pid, hit, in_flight, running, timezone.now())
        if what == "idle pool child":  # nothing of it in flight: the question is whether the
            kill.idle, kill.in_flight, kill.running = True, set(), {}  # pool still takes tasks
        self.kills.append(kill)
        log(
            self.soak.t0,
            f"SIGKILL {what} {pid}: {len(kill.in_flight)} items unsettled,"
            f" {len(running)} jobs leased" + (" (in a Konnect call)" if hit else ""),
        )
        if what == "main process":
            self.restart_at = at + 1.0


def _child_label(pid: int, busy: list[int], idle: list[int]) -> str:
    if pid in busy:
        return "pool child in a call"
    return "idle pool child" if pid in idle else "busy pool child"


def _stuck(kills: list[Kill]) -> dict[tuple[int, Any], Any]:
    """(Job, lease) pairs an earlier kill saw, with the time of that kill."""
    return {(pk, lease): k.wall for k in kills for pk, lease in k.running.items()}


def _live_leases(kills: list[Kill]) -> dict[int, str]:
    """Every leased Job {id: kind} whose lease is live: not one an earlier kill saw, or one
    whose Job was saved since (the child holding it survived)."""
    from konnect_admin.models import Job

    stuck = _stuck(kills)
    live = {}
    for pk, kind, lease, updated in Job.objects.filter(status=Job.Status.RUNNING).values_list(
        "pk", "kind", "lease_expires_at", "updated_at"
    ):
        seen = stuck.get((pk, lease))
        if seen is None or updated > seen + timedelta(seconds=1):
            live[pk] = kind
    return live


def _live_stock_job(kills: list[Kill]) -> bool:
    """Whether a stock Job is unfinished and not held by the lease of a killed process."""
    from konnect_admin.models import Job

    stuck = _stuck(kills)
    for pk, status, lease, updated in (
        Job.objects.filter(kind="inventory_update")
        .exclude(status__in=Job.TERMINAL)
        .values_list("pk", "status", "lease_expires_at", "updated_at")
    ):
        seen = stuck.get((pk, lease))
        if status != Job.Status.RUNNING or seen is None or updated > seen + timedelta(seconds=1):
            return True
    return False


def _lease_values(ids: list[int]) -> dict[int, Any]:
    """{Job: lease_expires_at} of the write Jobs among `ids`."""
    from konnect_admin.models import Job

    return dict(
        Job.objects.filter(pk__in=ids, kind__in=WRITE_KINDS).values_list("pk", "lease_expires_at")
    )


def _unsettled(job_ids: list[int]) -> tuple[set[int], bool]:
    """The unsettled items of those Jobs, and whether any of them is on the wire (SENDING)."""
    from konnect_admin.models import JobItem

    unsettled = dict(
        JobItem.objects.filter(
            job_id__in=job_ids, status__in=[JobItem.Status.PENDING, JobItem.Status.SENDING]
        ).values_list("pk", "status")
    )
    return set(unsettled), JobItem.Status.SENDING in unsettled.values()


def _recovered(kill: Kill) -> bool:
    from django.conf import settings

    from konnect_admin.models import Job, JobItem

    if kill.idle:  # a Job leased after the kill: a pool child read a task from the pipe
        leased_after = kill.wall + timedelta(seconds=settings.JOB_LEASE_SECONDS)
        return Job.objects.filter(lease_expires_at__gt=leased_after).exists()
    if JobItem.objects.filter(
        pk__in=kill.in_flight, status__in=[JobItem.Status.PENDING, JobItem.Status.SENDING]
    ).exists():
        return False
    for job_id, lease, status in Job.objects.filter(pk__in=kill.running).values_list(
        "pk", "lease_expires_at", "status"
    ):
        if status == Job.Status.RUNNING and lease == kill.running[job_id]:
            return False  # still held by the lease of the process that was killed
    return True


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Soak:
    broker: str
    scale: Scale
    run_dir: Path
    port: int
    env: dict[str, str]
    base_url: str = ""
    t0: float = field(default_factory=time.monotonic)
    user: Any = None
    category: Any = None
    sandbox: Sandbox | None = None
    processes: list[procs.Proc] = field(default_factory=list)
    worker: procs.Proc | None = None
    uploads: Uploads | None = None
    killer: Killer | None = None
    problems: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)

    # processes ---------------------------------------------------------------------------

    def start(self) -> None:
        logs = self.run_dir / "logs"
        self.base_url = f"http://127.0.0.1:{self.port}/"
        web = procs.web(self.env, logs, self.port)
        self.processes.append(web)
        wait_http(self.base_url + "sandbox/", web)
        self.worker = procs.worker(self.env, logs, config.WORKER_CONCURRENCY)
        self.processes += [self.worker, procs.beat(self.env, logs, self.run_dir)]
        log(self.t0, f"web :{self.port}, worker {self.worker.pid}, beat started")

    @property
    def database(self) -> Path | int:
        """What a pool child holds open while it runs a task: the SQLite file, or a connection
        to PostgreSQL's port."""
        from django.db import connection

        if connection.vendor == "postgresql":
            return int(connection.settings_dict.get("PORT") or 5432)
        return Path(connection.settings_dict["NAME"])

    def restart_worker(self) -> None:
        old = self.worker
        assert old is not None
        new = procs.worker(self.env, self.run_dir / "logs", config.WORKER_CONCURRENCY)
        new.groups = [*old.groups, new.pid]  # orphaned pool children are stopped at the end
        self.processes.append(new)
        self.worker = new
        log(self.t0, f"worker restarted as {new.pid}")

    def stop(self) -> None:
        for proc in reversed(self.processes):
            procs.stop(proc)

    # phases -------------------------------------------------------------------------------

    def setup(self) -> list[str]:
        """Seed the sandbox, sync reference data and products (the upload benchmark's set-up),
        bring new orders into the shipment cache, then turn the faults on."""
        from konnect_admin.models import Job
        from orders.models import Shipment
        from orders.sync import MODE_NEW, shipment_sync_start
        from tests.benchmarks.uploads import _setup

        self.user, self.category = _setup(self.base_url)
        # _setup drives its product sync in-process; record it as finished like the runner would
        Job.objects.filter(kind="product_sync", status=Job.Status.PENDING).update(
            status=Job.Status.SUCCEEDED, finished_at=timezone.now(), next_run_at=None
        )
        self.sandbox = Sandbox(self.base_url)
        ids = self.sandbox.call(
            "POST", "new_orders", {"count": self.scale.shipments, "self_ship": False}
        )["shipments"]
        sync = shipment_sync_start(user=None, mode=MODE_NEW, source="system")
        wait_jobs([sync.pk], 180, "the shipment sync")
        cached = set(
            Shipment.objects.filter(shipment_id__in=ids, state="placed").values_list(
                "shipment_id", flat=True
            )
        )
        if len(cached) != len(ids):
            self.problems.append(f"only {len(cached)} of {len(ids)} new orders were synced")
        log(self.t0, f"set up: {len(cached)} new orders cached")
        return sorted(cached)

    def main(self, shipment_ids: list[str]) -> None:
        assert self.sandbox is not None
        self.report["faults"] = self.sandbox.faults(config.FAULTS)
        self.t0 = time.monotonic()
        self.report["main_started"] = time.time()
        uploads = self.uploads = Uploads(self)
        shipments = Shipments(self, shipment_ids)
        killer = self.killer = Killer(self)
        actors: list[Any] = [uploads, shipments, killer]
        deadline = self.t0 + self.scale.timeout
        last_note = 0.0
        while time.monotonic() < deadline:
            for actor in actors:
                actor.step()
            if uploads.done and shipments.done and not killer.done and _no_write_job_left():
                killer.give_up()
            if all(a.done for a in actors) and _all_jobs_terminal():
                break
            if time.monotonic() - last_note > 15:
                last_note = time.monotonic()
                log(self.t0, _progress())
            assert self.worker is not None
            if not self.worker.alive() and killer.restart_at is None:
                self.problems.append("the worker process exited on its own")
                self.restart_worker()
            time.sleep(POLL if killer.done else POLL / 5)  # kills look for short moments
        else:
            self.problems.append(f"main phase not finished after {self.scale.timeout:.0f} s")
        self.report["main_ended"] = time.time()
        self.report["main_seconds"] = round(time.monotonic() - self.t0, 1)
        for kill in killer.kills:  # a last look for recoveries after the final poll
            if kill.recovered_at is None and _recovered(kill):
                kill.recovered_at = time.monotonic()
        bound = float(config.PROFILE["JOB_LEASE_SECONDS"]) + float(
            config.PROFILE["JOB_SWEEP_SECONDS"]
        )
        self.report["kills"] = [k.as_dict(bound + _read_back_wait(k)) for k in killer.kills]
        for n, kill in enumerate(killer.kills):  # a later kill held up the same Job again
            later = [k for k in killer.kills[n + 1 :] if set(k.running) & set(kill.running)]
            if later and kill.recovered_at is not None and kill.recovered_at > later[0].at:
                self.report["kills"][n]["interrupted_by_a_later_kill"] = True
        if len(killer.kills) < len(Killer.PLAN):
            self.problems.append(f"only {len(killer.kills)} of {len(Killer.PLAN)} kills happened")
        for kill in self.report["kills"]:
            late = kill["recovery_s"] is not None and kill["recovery_s"] > kill["r6_bound_s"]
            if kill["recovery_s"] is None or (late and "interrupted_by_a_later_kill" not in kill):
                self.problems.append(
                    f"{kill['what']} kill at {kill['at_s']} s: in-flight work settled after"
                    f" {kill['recovery_s']} s, R6 allows {kill['r6_bound_s']} s"
                )
        self.problems += uploads.problems
        self.report["shipments"] = {
            "planned": self.scale.actions,
            "started": dict(shipments.started),
            "refused": shipments.refused[:20],
        }
        if sum(shipments.started.values()) < self.scale.actions:
            self.problems.append(
                f"{sum(shipments.started.values())} of {self.scale.actions} shipment actions"
                " started"
            )
        log(self.t0, f"main phase over: {_progress()}")

    def outage(self) -> None:
        """An inventory upload in flight when Konnect goes 100% down, then comes back."""
        from catalog.models import Upload as UploadRow
        from catalog.uploads.checking import upload_commit, upload_receive
        from konnect_admin.konnect.breaker import breaker_is_open
        from konnect_admin.models import Job, JobItem

        assert self.sandbox is not None and self.uploads is not None
        uploads = self.uploads
        self.sandbox.faults({**config.NO_FAULTS, "latency_ms": config.OUTAGE_LATENCY_MS})
        started = time.monotonic()
        upload = upload_receive(
            kind="inventory", filename="OUTAGE.csv", data=uploads.outage_file(), user=self.user
        )
        deadline = started + 120
        while UploadRow.objects.get(pk=upload.pk).status == UploadRow.Status.CHECKING:
            if time.monotonic() > deadline:
                raise RuntimeError("the outage upload was not checked in time")
            time.sleep(0.2)
        upload.refresh_from_db()
        job = upload_commit(upload=upload, user=self.user, batch_size=self.scale.outage_batch)
        self.report["outage_job"] = job.pk
        while not JobItem.objects.filter(job=job, status=JobItem.Status.SUCCEEDED).exists():
            if Job.objects.get(pk=job.pk).is_terminal or time.monotonic() > deadline:
                self.problems.append("the outage job finished before the outage could start")
                break
            time.sleep(0.05)
        down, down_wall = time.monotonic(), time.time()
        self.sandbox.faults({"outage": True})
        log(self.t0, f"outage on: job {job.pk} in flight")
        seen: Counter[str] = Counter()
        first: dict[str, float] = {}
        # down for outage_seconds, and at least until the job has waited on the open circuit
        # for a few seconds (at most three times as long)
        while time.monotonic() < down + 3 * self.scale.outage_seconds:
            row = Job.objects.get(pk=job.pk)
            seen[row.status] += 1
            if row.is_terminal:
                break
            if row.status == Job.Status.WAITING and "unreachable" in row.message:
                first.setdefault("waiting", time.monotonic())
            if breaker_is_open():
                first.setdefault("breaker", time.monotonic())
            now = time.monotonic()
            if now >= down + self.scale.outage_seconds and now >= first.get("waiting", now) + 3:
                break
            time.sleep(0.2)
        before = Job.objects.get(pk=job.pk)
        self.sandbox.faults({"outage": False})
        up, up_wall = time.monotonic(), time.time()
        log(self.t0, f"outage off: job {job.pk} {before.status} ({before.message})")
        resumed = finished = None
        while time.monotonic() < up + 240:
            row = Job.objects.get(pk=job.pk)
            if resumed is None and (row.done > before.done or row.is_terminal):
                resumed = time.monotonic()
            if row.is_terminal:
                finished = time.monotonic()
                break
            time.sleep(0.2)
        self.sandbox.faults(config.NO_FAULTS)
        row = Job.objects.get(pk=job.pk)
        during = dict(seen)
        if Job.Status.FAILED in during or row.status != Job.Status.SUCCEEDED:
            self.problems.append(f"outage job {job.pk} ended {row.status}: {row.message}")
        if "waiting" not in first:
            self.problems.append("the outage job never waited for Konnect")

        def since(mark: float | None, origin: float) -> float | None:
            return round(mark - origin, 1) if mark is not None else None

        calls = [c for c in read_calls(self.run_dir / "calls") if down_wall <= c.at <= up_wall]

        self.report["outage"] = {
            "job": job.pk,
            "rows": row.total,
            "batch_size": self.scale.outage_batch,
            "seconds": round(up - down, 1),
            "statuses_seen_while_down": during,
            "breaker_open_after_s": since(first.get("breaker"), down),
            "waiting_after_s": since(first.get("waiting"), down),
            "done_at_restore": before.done,
            "resumed_after_restore_s": since(resumed, up),
            "finished_after_restore_s": since(finished, up),
            "job_status": row.status,
            "breaker_open_seconds": float(config.PROFILE["KONNECT_BREAKER_OPEN_SECONDS"]),
            "konnect_calls_while_down": len(calls),  # the breaker holds them back
            "latency_ms": config.OUTAGE_LATENCY_MS,
        }
        log(self.t0, f"outage job {job.pk}: {row.status}, {self.report['outage']}")

    # verdict -------------------------------------------------------------------------------

    def verdict(self) -> None:
        from konnect_admin.models import Job, JobItem

        assert self.sandbox is not None
        wait_until = time.monotonic() + 120
        while not _all_jobs_terminal() and time.monotonic() < wait_until:
            time.sleep(POLL)
        effects = self.sandbox.effects()
        jobs = [
            ledger.JobRow(pk, kind, status, done, failed, total, message)
            for pk, kind, status, done, failed, total, message in Job.objects.values_list(
                "pk", "kind", "status", "done", "failed", "total", "message"
            )
        ]
        items = [
            ledger.Item(job, ledger.OPERATION_OF_KIND[kind], key, status, _group(payload))
            for job, kind, key, status, payload in JobItem.objects.filter(
                job__kind__in=WRITE_KINDS
            ).values_list("job_id", "job__kind", "key", "status", "payload")
        ]
        outage_job = self.report.get("outage_job")
        comparison = ledger.compare(items, effects, jobs)
        self.report["comparison"] = comparison.summary()
        if outage_job:
            mine = [i for i in items if i.job == outage_job]
            keys = {(i.operation, i.key) for i in mine}
            part = ledger.compare(
                mine,
                {k: v for k, v in effects.items() if k in keys},
                [j for j in jobs if j.id == outage_job],
            ).summary()
            self.report.setdefault("outage", {}).update(
                lost=part["lost"], duplicated=part["duplicated"], ok=part["ok"]
            )
        main = [i for i in items if i.job != outage_job]
        calls = [
            c
            for c in read_calls(self.run_dir / "calls")
            if self.report["main_started"] <= c.at <= self.report["main_ended"]
        ]
        self.report["amplification"] = ledger.amplification(calls, main)
        self.report["jobs"] = {
            f"{kind} {status}": n
            for (kind, status), n in sorted(Counter((j.kind, j.status) for j in jobs).items())
        }
        if not comparison.ok:
            self.problems.append("the ledgers disagree (see comparison)")


def _read_back_wait(kill: Kill) -> float:
    """A product create cut off mid-send is read back only once Konnect had time to process it
    (catalog/uploads/products.py, RECONCILE_WINDOW: its traces complete asynchronously), so a
    kill that held up a product Job may take that much longer to settle."""
    from catalog.uploads.products import RECONCILE_WINDOW
    from konnect_admin.models import Job

    product_kinds = [k for k, op in ledger.OPERATION_OF_KIND.items() if op == "product.create"]
    held = Job.objects.filter(pk__in=list(kill.running), kind__in=product_kinds).exists()
    return RECONCILE_WINDOW.total_seconds() if held else 0.0


def _group(payload: Any) -> str:
    return str(payload.get("location") or "") if isinstance(payload, dict) else ""


def _no_write_job_left() -> bool:
    from konnect_admin.models import Job

    return not Job.objects.filter(kind__in=WRITE_KINDS).exclude(status__in=Job.TERMINAL).exists()


def _all_jobs_terminal() -> bool:
    from konnect_admin.models import Job

    return not Job.objects.exclude(status__in=Job.TERMINAL).exists()


def _progress() -> str:
    from konnect_admin.models import Job, JobItem

    items = Counter(
        JobItem.objects.filter(job__kind__in=WRITE_KINDS).values_list("status", flat=True)
    )
    jobs = Counter(Job.objects.values_list("status", flat=True))
    return f"items {dict(items)}; jobs {dict(jobs)}"


def read_calls(folder: Path) -> list[ledger.Call]:
    calls = []
    for name in sorted(glob.glob(str(folder / "calls-*.log"))):
        for line in Path(name).read_text().splitlines():
            parts = line.split()
            if len(parts) == 4:
                calls.append(ledger.Call(float(parts[0]), parts[1], parts[2], int(parts[3])))
    return calls


def work_summary(scale: Scale) -> str:
    return (
        f"{scale.products:,} products ({scale.uploads} uploads), {scale.inventory_rows:,} stock"
        f" rows, {scale.actions} shipment actions; outage job {scale.outage_rows:,} rows"
    )


def run(broker: str, scale: Scale, run_dir: Path, env: dict[str, str], port: int) -> dict[str, Any]:
    """The whole run; Django must already be set up with `env`."""
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    soak = Soak(broker, scale, run_dir, port, env)
    from django.db import connection

    soak.report.update(
        broker=broker, database=connection.vendor, scale=scale.name, work=work_summary(scale)
    )
    try:
        soak.start()
        ids = soak.setup()
        soak.report["setup_seconds"] = round(time.monotonic() - started, 1)
        soak.main(ids)
        soak.outage()
        soak.verdict()
    except Exception as exc:  # report what broke; the processes are stopped below
        soak.problems.append(f"the harness stopped: {type(exc).__name__}: {exc}")
        import traceback

        traceback.print_exc()
    finally:
        soak.stop()
    report = soak.report
    report.update(
        faults_summary=config.FAULTS_SUMMARY,
        profile=config.PROFILE,
        problems=soak.problems,
        ok=not soak.problems,
        wall_seconds=round(time.monotonic() - started, 1),
        run_dir=str(run_dir),
    )
    return report
