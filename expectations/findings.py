"""A defect together with the cell it is about, as the checks pass it around."""

from __future__ import annotations

from dataclasses import dataclass

from expectations.context import Cell
from intake.defects import Defect


@dataclass(frozen=True)
class Finding:
    """A defect and its cell, whose column is the English key.

    `Defect.column` shows the template header instead, so the key is kept here to
    match the cells intake reported and to keep one defect per cell.
    """

    cell: Cell
    defect: Defect
