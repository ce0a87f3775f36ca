"""The weekly rollup: records → summary model → summary workbook, history and views."""
