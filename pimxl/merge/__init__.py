"""``pimxl merge``: three-way merge of edited copies of one workbook into the copy they started from.

    model   workbook record → plain data (rows by row key, cells by field, comparable values)
    diff    the three-way merge on that data → a plan, every change and every conflict (pure)
    locate  where BASE's tables and columns are, in the openpyxl workbook OUT is written from
    apply   the plan written into BASE's workbook (cells in place; rows rewritten when added/deleted)
    grids   every cell of a workbook by address, and the places the template merge owns in it
    cells   free cells (outside the template's places) and sheets a copy added: merged by address
    sheets  those written into OUT (added sheets rebuilt cell by cell, with their styles)
    extras  chart sheets, shapes and pictures OUT cannot hold: found in the inputs' zips, listed
    report  合并冲突 / 合并记录 sheets, text summary and JSON
    run     merge_files(): read, check, merge, write OUT atomically
"""

from __future__ import annotations

from .diff import Change, Conflict, MergePlan, merge_snapshots
from .model import Snapshot, from_record, norm
from .run import MergeRun, merge_files

__all__ = ["Change", "Conflict", "MergePlan", "MergeRun", "Snapshot", "from_record", "merge_files",
           "merge_snapshots", "norm"]
