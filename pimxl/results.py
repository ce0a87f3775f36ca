"""What one input file came to: the unit that validate, rollup and history pass around."""

from __future__ import annotations

from dataclasses import dataclass, field

from .findings import Finding, Severity
from .records import WorkbookRecord

__all__ = ["FileResult", "STATUSES"]

#: ok < warnings < errors for readable files; unreadable and skipped files have a reason instead.
STATUSES = ("ok", "warnings", "errors", "unreadable", "skipped")


@dataclass
class FileResult:
    path: str  # as found (relative to the root given by the user when possible)
    status: str = "ok"
    kind: str = ""  # xlsx, xlsm, xls, ods, …
    reason_zh: str = ""  # one line, for unreadable/skipped
    reason_en: str = ""
    code: str = ""  # finding code of the reason (file-encrypted, not-a-template, …)
    template_id: str = ""
    version: int = 0
    record: WorkbookRecord | None = None
    findings: list[Finding] = field(default_factory=list)
    size: int = 0
    mtime: float = 0.0
    sha256: str = ""
    source: str = ""  # the file's real path on disk (``path`` is what the user is shown)

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh

    @property
    def project_id(self) -> str:
        return str(self.record.get("project_id", "")) if self.record else ""

    def settle_status(self) -> None:
        """Derive ok/warnings/errors from the findings (unreadable/skipped stay)."""
        if self.status in ("unreadable", "skipped"):
            return
        sev = {f.severity for f in self.findings}
        self.status = "errors" if Severity.ERROR in sev else "warnings" if Severity.WARNING in sev else "ok"
