"""Job kinds and the step protocol between the runner and a kind's handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from konnect_admin.models import Job


@dataclass(frozen=True)
class Step:
    """What a handler asks of the runner after doing one bounded piece of work."""

    outcome: Literal["done", "continue", "wait"]
    wait_seconds: float = 0.0
    reason: str = ""
    final_status: str | None = None  # "done" only: override the status derived from item counts

    @classmethod
    def done(cls, *, status: str | None = None, reason: str = "") -> Step:
        return cls("done", final_status=status, reason=reason)

    @classmethod
    def more(cls) -> Step:
        return cls("continue")

    @classmethod
    def wait(cls, seconds: float, reason: str) -> Step:
        return cls("wait", wait_seconds=max(0.0, seconds), reason=reason)


@dataclass(frozen=True)
class JobKind:
    kind: str
    label: str
    run: Callable[[Job], Step]
    permission: str | None = None  # who may see jobs of this kind (None: everyone logged in)


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    _kinds[kind.kind] = kind


def get(kind: str) -> JobKind:
    try:
        return _kinds[kind]
    except KeyError:
        raise LookupError(f"no job kind {kind!r} is registered") from None


def label(kind: str) -> str:
    return _kinds[kind].label if kind in _kinds else kind.replace("_", " ").capitalize()


def all_kinds() -> list[JobKind]:
    return sorted(_kinds.values(), key=lambda k: k.label)
