"""How stage code runs: as Prefect tasks with logs and artifacts, or called directly.

The stage flows call every step through `run_step`. Inside a Prefect flow run that
is a task run; with `direct_mode()` (the benchmark's baseline) it is a plain call
of the same function, so both paths execute the same business logic.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from cycle.errors import CycleError, NotAuthorisedError

_direct: ContextVar[bool] = ContextVar("heateval_direct", default=False)
_module_logger = logging.getLogger("heateval.stage")


@contextmanager
def direct_mode() -> Iterator[None]:
    """Run steps as plain function calls, without Prefect, inside this block."""
    token = _direct.set(True)
    try:
        yield
    finally:
        _direct.reset(token)


def is_direct() -> bool:
    """Return whether steps run as plain calls."""
    return _direct.get()


def run_step(task: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a step: a Prefect task run, or its function in direct mode."""
    if _direct.get():
        return task.fn(*args, **kwargs)
    return task(*args, **kwargs)


def stage_logger() -> logging.Logger | logging.LoggerAdapter:
    """Return the run logger inside a Prefect run, the module logger otherwise."""
    if not _direct.get():
        from prefect.exceptions import MissingContextError
        from prefect.logging import get_run_logger

        try:
            return get_run_logger()
        except MissingContextError:
            pass
    return _module_logger


def artifact_key(*parts: str) -> str:
    """Build an artifact key from parts: lowercase letters, digits and dashes only."""
    raw = "-".join(p for p in parts if p)
    return "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in raw.lower())


def table_artifact(key: str, rows: list[dict[str, Any]], description: str) -> None:
    """Publish a table artifact in a Prefect run; nothing in direct mode."""
    if _direct.get() or not rows:
        return
    from prefect.artifacts import create_table_artifact

    create_table_artifact(table=rows, key=key, description=description)


def markdown_artifact(key: str, markdown: str, description: str) -> None:
    """Publish a markdown artifact in a Prefect run; nothing in direct mode."""
    if _direct.get():
        return
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(markdown=markdown, key=key, description=description)


class Progress:
    """A progress artifact for a long stage, updated every few steps."""

    def __init__(self, key: str, total: int, description: str) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.artifact_id = None
        self.description = description
        if not _direct.get() and total > 10:
            from prefect.artifacts import create_progress_artifact

            self.artifact_id = create_progress_artifact(
                progress=0.0, key=key, description=description
            )

    def step(self) -> None:
        """Count one finished step; update the artifact every tenth of the way."""
        self.done += 1
        if self.artifact_id is None:
            return
        every = max(self.total // 10, 1)
        if self.done % every == 0 or self.done == self.total:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(
                artifact_id=self.artifact_id,
                progress=100.0 * self.done / self.total,
            )


TRANSIENT = (OperationalError, TimeoutError, ConnectionError)
MAX_ERROR_TEXT = 300


def describe_error(error: BaseException) -> str:
    """Return one short line for an error: its type and message, without SQL dumps.

    A SQLAlchemy error's text carries the whole statement and its parameters;
    the driver's own message (`orig`) is what an operator needs.
    """
    origin = getattr(error, "orig", None) or error
    text = str(origin).strip().splitlines()[0] if str(origin).strip() else ""
    return f"{type(origin).__name__}: {text}"[:MAX_ERROR_TEXT]


def is_transient(error: BaseException | None) -> bool:
    """Return whether an error is worth a retry: a busy or lost database connection.

    Bad data and refused decisions are never retried: a retry cannot fix them.
    """
    if error is None or isinstance(
        error, (CycleError, NotAuthorisedError, IntegrityError)
    ):
        return False
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, TRANSIENT)


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect retry condition: retry only transient errors, and log the decision."""
    try:
        state.result()
    except Exception as error:
        retry = is_transient(error)
        stage_logger().warning(
            "%s failed with %s: %s; %s",
            task_run.name,
            type(error).__name__,
            error,
            "retrying" if retry else "not retried (not a transient error)",
        )
        return retry
    return False


STEP_OPTIONS: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": [1, 4, 16],
    "retry_condition_fn": retry_transient,
}
