"""Spreadsheet I/O: the only place that imports openpyxl, python-calamine or xlsxwriter."""
