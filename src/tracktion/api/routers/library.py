"""Library: the configured roots, and scans of folders inside them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from tracktion.api.context import current_correlation_id
from tracktion.api.correlated_bus import CorrelatedBus
from tracktion.api.problems import ProblemError
from tracktion.api.routers import API_PREFIX
from tracktion.api.routers.jobs import job_out
from tracktion.api.schemas.common import problems
from tracktion.api.schemas.library import JobOut, ScanIn
from tracktion.api.security import EDITOR, VIEWER
from tracktion.api.state import ApiState, api_state
from tracktion.core.jobs import JobKind
from tracktion.watcher.scanner import Scanner, normalise_roots

router = APIRouter(
    prefix=f"{API_PREFIX}/library", tags=["library"], responses=problems(401, 403, 422, 429)
)
State = Annotated[ApiState, Depends(api_state)]


def inside_roots(path: str, roots: list[Path], loc: tuple[str, str] = ("body", "path")) -> Path:
    """``path`` with symlinks and ``..`` resolved, if that lies inside one of ``roots``.

    Otherwise a 422 problem naming the input at ``loc``.
    """
    if "\x00" in path or not os.path.isabs(path):
        raise invalid_path(path, "must be an absolute path", loc)
    resolved = Path(path).resolve()
    if not roots:
        raise invalid_path(
            path, "no library roots are configured (set TRACKTION_LIBRARY_ROOTS)", loc
        )
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        raise invalid_path(path, "is not inside a configured library root", loc)
    return resolved


def invalid_path(path: str, reason: str, loc: tuple[str, str]) -> ProblemError:
    """422 for a path input: ``reason`` starting with is/must follows the path in the detail."""
    detail = f"{path!r} {reason}" if reason.startswith(("is", "must")) else reason
    return ProblemError(
        422,
        "validation_error",
        detail,
        extra={"errors": [{"loc": list(loc), "msg": detail, "type": "value_error"}]},
    )


@router.get("/roots", response_model=list[str], dependencies=[VIEWER])
async def library_roots(state: State) -> list[str]:
    """The folders scans may reach."""
    return [str(root) for root in state.container.settings.library_roots]


@router.post("/scans", response_model=JobOut, status_code=202, dependencies=[EDITOR])
async def scan(state: State, body: ScanIn) -> JobOut:
    """Scan a folder inside the library roots in the background; poll the returned job."""
    container = state.container
    folder = inside_roots(body.path, container.settings.library_roots)
    roots = normalise_roots([str(folder)])  # 422 when missing or not a folder
    correlation_id = current_correlation_id()
    scanner = Scanner(
        CorrelatedBus(container.bus, correlation_id),
        container.store,
        workers=container.settings.scan_workers,
    )

    async def work() -> dict[str, Any]:
        report, _ = await scanner.scan(roots)
        return {
            "roots": list(report.roots),
            "found": report.found,
            "unchanged": report.unchanged,
            "read": report.read,
            "events": dict(report.events),
            "errors": [{"path": path, "error": error} for path, error in report.errors],
            "elapsed_s": round(report.elapsed_s, 3),
        }

    job = await state.jobs.start(JobKind.SCAN, str(folder), correlation_id, work)
    return job_out(job)
