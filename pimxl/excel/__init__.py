"""Excel buttons through xlwings (optional extra ``pimxl[excel]``).

Only :mod:`.buttons` touches a live Excel; everything it calls is plain library code that runs
and is tested without Excel or xlwings:

    book       live values (2-D lists, names, tables) → the file reader's WorkbookRecord
    highlight  findings → cells to colour and annotate, and how to undo the last run
    macros     the VBA module the buttons call (RunPython through the xlwings add-in)
    ovba, cfb  that module as a vbaProject.bin ([MS-OVBA] inside an [MS-CFB] compound file)
    setup      a workbook (or a fresh companion workbook) → .xlsm with the module and buttons
"""
