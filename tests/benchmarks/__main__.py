"""Run the benchmarks: `python -m tests.benchmarks [name ...]` (every one when none is named).

A benchmark is a module of this package with a `run() -> dict` function. Each runs in its own
process against a throwaway SQLite database, var/bench/<name>.sqlite3, freshly migrated:
DATABASE_URL and KONNECT_VAR_DIR are set before Django starts, so nothing touches the
development database. The result is printed by the module and written to var/bench/<name>.json;
a result with `"ok": false` (a budget missed) makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"


def available() -> list[str]:
    here = Path(__file__).resolve().parent
    names = []
    for module in pkgutil.iter_modules([str(here)]):
        if module.name.startswith("_"):
            continue
        source = (here / f"{module.name}.py").read_text()
        if "\ndef run(" in source:
            names.append(module.name)
    return sorted(names)


def run_one(name: str) -> int:
    import importlib

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database = BENCH_DIR / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["KONNECT_VAR_DIR"] = str(BENCH_DIR / name)  # absolute: wins over BASE_DIR
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "konnect_admin.settings")

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    module = importlib.import_module(f"tests.benchmarks.{name}")
    started = time.perf_counter()
    result = module.run()
    result.setdefault("benchmark", name)
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    out = BENCH_DIR / f"{name}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"\n{name}: written to {out.relative_to(ROOT)}")
    return 1 if result.get("ok") is False else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: {available()})")
    names = parser.parse_args(argv).names or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; there are {available()}")
    if len(names) == 1:
        return run_one(names[0])
    status = 0
    for name in names:  # one process each: every benchmark gets its own database
        status |= subprocess.call([sys.executable, "-m", "tests.benchmarks", name], cwd=ROOT)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
