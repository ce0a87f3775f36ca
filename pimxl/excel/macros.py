"""The VBA module behind the buttons, following xlwings' RunPython convention.

The macros call the xlwings add-in's ``RunPython`` late-bound, through ``Application.Run``:

    Application.Run "'xlwings.xlam'!RunPython", "import pimxl.excel.buttons as b; b.validate_active_book()"

rather than through a VBA reference to the add-in (what ``xlwings quickstart`` workbooks carry):
a reference stores the absolute path of the add-in on the machine that set it, and a missing
reference stops every macro of the workbook with a compile error. Late-bound, the workbook works
wherever ``xlwings addin install`` was run, and says what to do where it was not.

The source is kept ASCII (Chinese text is built with ``ChrW``), so the module reads the same on a
Chinese and a Western Windows: VBA stores source in the system's ANSI code page.
"""

from __future__ import annotations

__all__ = ["MACROS", "MODULE_NAME", "module_source", "vba_string"]

MODULE_NAME = "pimxl"
#: Button caption → macro name, in the order the buttons appear.
MACROS = {"校验本工作簿": "ValidateThisWorkbook", "刷新汇总": "RefreshSummary"}
PYTHON = {
    "ValidateThisWorkbook": "import pimxl.excel.buttons as b; b.validate_active_book()",
    "RefreshSummary": "import pimxl.excel.buttons as b; b.refresh_summary()",
}
NO_ADDIN_ZH = "没有找到 xlwings 加载项。请在命令行运行 xlwings addin install，然后重新启动 Excel。"
NO_ADDIN_EN = "The xlwings add-in was not found: run  xlwings addin install  and restart Excel."


def vba_string(text: str) -> str:
    """A VBA string expression for any text, in ASCII source: runs of ASCII quoted, the rest ChrW()."""
    parts: list[str] = []
    run = ""
    for ch in text:
        if 32 <= ord(ch) < 127:
            run += '""' if ch == '"' else ch
            continue
        if run:
            parts.append(f'"{run}"')
            run = ""
        parts.append(f"ChrW(&H{ord(ch):X})")
    if run or not parts:
        parts.append(f'"{run}"')
    return " & ".join(parts)


def module_source() -> str:
    """The standard module ``pimxl``: one public Sub per button, one private helper."""
    subs = []
    for macro, command in PYTHON.items():
        subs += [f"Public Sub {macro}()", f'    PimxlRun "{command}"', "End Sub", ""]
    return "\n".join([
        f'Attribute VB_Name = "{MODULE_NAME}"',
        "' pimxl buttons, written by `pimxl excel setup`; to change them, run setup again.",
        "' They call the pimxl library through the xlwings add-in (xlwings addin install).",
        "Option Explicit",
        "",
        *subs,
        "Private Sub PimxlRun(ByVal pythonCode As String)",
        "    On Error GoTo NoAddin",
        "    Application.Run \"'xlwings.xlam'!RunPython\", pythonCode",
        "    Exit Sub",
        "NoAddin:",
        # Build the message over several statements: VBA limits line continuations.
        "    Dim msg As String",
        f"    msg = {vba_string(NO_ADDIN_ZH)}",
        f"    msg = msg & vbCrLf & vbCrLf & {vba_string(NO_ADDIN_EN)}",
        "    msg = msg & vbCrLf & vbCrLf & \"(\" & Err.Description & \")\"",
        "    MsgBox msg, vbExclamation, \"pimxl\"",
        "End Sub",
    ]) + "\n"
