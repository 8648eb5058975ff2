"""Errors of the cycle. A `CycleError` means bad input or a rejected decision and
is never retried. The others mean that a stage could not finish."""

from __future__ import annotations


class CycleError(ValueError):
    """A request the cycle cannot carry out as given; the message says what to do."""


class NotAuthorisedError(CycleError):
    """The person acting is not registered for that county and role."""


class StageIncompleteError(RuntimeError):
    """A stage left enterprises unprocessed; the message names them."""

    def __init__(self, stage: str, county: str, problems: list[str]) -> None:
        self.stage = stage
        self.county = county
        self.problems = problems
        listed = "; ".join(problems)
        super().__init__(
            f"{stage} for county {county} left {len(problems)} enterprise(s) "
            f"unprocessed: {listed}"
        )


class CycleDayError(RuntimeError):
    """Stages of one day's cycle run failed. `failed` maps each stage to its error."""

    def __init__(self, season: str, today: object, failed: dict[str, str]) -> None:
        self.failed = failed
        listed = "; ".join(f"{stage}: {error}" for stage, error in failed.items())
        super().__init__(f"cycle {season} on {today}: stages failed: {listed}")
