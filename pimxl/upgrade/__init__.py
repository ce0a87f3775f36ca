"""``pimxl upgrade``: the template version history (as data) and the move onto the current version.

    migrations   what changed from version N to N+1 of each template; ``declaration_at``
    leftovers    every old value with no place in the current template
    sheet        the 未迁移 sheet that keeps them
    run          ``upgrade_file``: read, write the current version, account for every value
"""

from __future__ import annotations

from .leftovers import Leftover, find_leftovers
from .migrations import (
    MIGRATIONS,
    AddField,
    Migration,
    Relabel,
    RemoveField,
    RenameSection,
    declaration_at,
    history,
)
from .run import Moved, UpgradeResult, target_path, upgrade_file
from .sheet import LEFTOVER_SHEET

__all__ = [
    "LEFTOVER_SHEET",
    "MIGRATIONS",
    "AddField",
    "Leftover",
    "Migration",
    "Moved",
    "Relabel",
    "RemoveField",
    "RenameSection",
    "UpgradeResult",
    "declaration_at",
    "find_leftovers",
    "history",
    "target_path",
    "upgrade_file",
]
