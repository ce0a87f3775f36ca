"""The weekly rollup: records → summary model → summary workbook, history and views.

Where things are:

- the run — ``run`` (the steps, kill-safety, the unchanged re-run), ``scanning`` (the files found, their stat and
  hash), ``reading`` (the parse cache and the worker processes), ``reuse`` (what a re-run takes over instead of
  redoing), ``forked`` (the summary written by a child process), ``lock``;
- the figures — ``aggregate`` (records → ``model``), ``ageing`` (payments due and receivable), ``rag`` (colours
  with reasons, the overdue list), ``kpis``, ``roster``;
- the history — ``history`` (SQLite: snapshots, the parse cache, the stat of files), ``changes`` (snapshot rows and
  本周变化), ``stored_model`` (how each project is stored), ``history_admin`` (``pimxl history``), ``rebuild`` (a
  past week's summary);
- the summary workbook — ``sheets`` (model → ``sheetspec``, the summary as data), ``summary_writer`` and its
  ``xlsx_*`` helpers (tables, cells, links, styles, charts, the package);
- the role views — ``views``, ``views_sales``, ``views_pm``, ``views_brief``, ``views_run``.
"""
