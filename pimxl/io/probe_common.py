"""What the probe's modules share: the limits, the verdict exception and its one-line reasons."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FileProblem

__all__ = ["DEFAULT_LIMITS", "Limits", "MiB", "Verdict", "check_area", "corrupt", "encrypted", "not_sheet",
           "one_line", "unsupported"]

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds that keep reading one file within time and memory (all configurable)."""

    max_file_bytes: int = 100 * MiB
    max_unzipped_bytes: int = 256 * MiB  # sum of declared uncompressed sizes
    max_ratio: float = 200.0  # compression ratio, checked on parts larger than ratio_min_part
    ratio_min_part: int = 1 * MiB
    max_entries: int = 10_000
    max_cells: int = 5_000_000  # bounding box of one sheet (~200 MiB in calamine)


DEFAULT_LIMITS = Limits()


class Verdict(FileProblem):
    """A probe decision carrying the kind found so far."""

    def __init__(self, kind: str, code: str, zh: str, en: str, status: str = "unreadable") -> None:
        super().__init__(code, zh, en, status)
        self.kind = kind


def one_line(text: object, limit: int = 120) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def corrupt(kind: str, zh: str, en: str) -> Verdict:
    return Verdict(kind, "file-corrupt", f"文件已损坏：{zh}", f"file is corrupt: {en}")


def not_sheet(kind: str, zh: str, en: str) -> Verdict:
    return Verdict(kind, "not-a-spreadsheet", f"不是电子表格：这是{zh}", f"not a spreadsheet: this is {en}")


def unsupported(kind: str, zh: str, en: str) -> Verdict:
    return Verdict(kind, "file-unsupported", zh, en, status="skipped")


def encrypted(kind: str) -> Verdict:
    return Verdict(kind, "file-encrypted", "文件已加密（需要密码），无法读取；请去掉密码后重新保存",
                   "file is encrypted (password protected); remove the password and save again")


def check_area(kind: str, sheet: str, area: tuple[int, int], limits: Limits) -> None:
    rows, cols = area
    if rows * cols > limits.max_cells:
        raise Verdict(kind, "file-too-large",
                      f"工作表 {sheet} 的数据范围过大（{rows} 行 × {cols} 列），读取会耗尽内存",
                      f"sheet {sheet} spans too many cells ({rows} rows x {cols} columns) to read safely")
