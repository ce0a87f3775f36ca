"""``pimxl adjust``: apply approved adjustment forms to the plan and the contract progress table.

    forms     which forms may be applied (the validator's approval rules), refusal reasons
    changes   what one form changes, cell by cell (the ``adjustment-not-applied`` matching)
    log       the 调整记录 sheet (also what makes a re-run change nothing)
    apply     ``adjust``: order, decide, edit copies, write atomically
    report    text and JSON
"""

from __future__ import annotations

from .apply import AdjustResult, FormResult, adjust
from .changes import Change
from .forms import Reason
from .log import LOG_SHEET

__all__ = ["LOG_SHEET", "AdjustResult", "Change", "FormResult", "Reason", "adjust"]
