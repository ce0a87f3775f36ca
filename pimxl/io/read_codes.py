"""Finding codes the reader yields (normalisation codes belong to :mod:`pimxl.normalize`).

File-level problems (``not-a-template``, ``template-unknown``, ``template-version-newer``) are
raised as :class:`~pimxl.errors.FileProblem`, not declared here.
"""

from __future__ import annotations

from ..findings import Code, Severity

__all__ = [
    "COLUMN_MISSING",
    "FIELD_MISSING",
    "FORMULA_NO_VALUE",
    "FORMULA_RECOMPUTED",
    "IDENTITY_MISSING",
    "READ_BY_LABEL",
    "ROWS_BELOW_TABLE",
    "TABLE_MISSING",
    "TEMPLATE_VERSION_OLD",
]

WARN, INFO = Severity.WARNING, Severity.INFO

IDENTITY_MISSING = Code(
    "identity-missing", WARN,
    "工作簿没有 pimxl 模板标识，已按字段标签识别为“{template_zh}”",
    "the workbook has no pimxl template identity; recognised by its labels as {template_en}",
    "缺少模板标识",
)
TEMPLATE_VERSION_OLD = Code(
    "template-version-old", WARN,
    "模板版本 {version} 早于当前版本 {current}；可运行 pimxl upgrade 升级",
    "template version {version} is older than the current {current}; pimxl upgrade moves it on",
    "模板版本过旧",
)
READ_BY_LABEL = Code(
    "read-by-label", INFO,
    "“{section}”缺少定义名称或表格，已按标签读取",
    "{section}: defined names or Excel table missing, read by its labels",
    "按标签读取",
)
FIELD_MISSING = Code(
    "field-missing", WARN,
    "找不到字段“{label_zh}”（既无定义名称也无标签）",
    "field {label_en} not found (neither a defined name nor its label)",
    "字段缺失",
)
TABLE_MISSING = Code(
    "table-missing", WARN,
    "找不到表格“{label_zh}”（既无 Excel 表格也无表头）",
    "table {label_en} not found (neither an Excel table nor its header row)",
    "表格缺失",
)
COLUMN_MISSING = Code(
    "column-missing", WARN,
    "表格“{table_zh}”缺少列“{label_zh}”",
    "table {table_en} has no column {label_en}",
    "列缺失",
)
ROWS_BELOW_TABLE = Code(
    "rows-below-table", INFO,
    "表格区域下方紧接着还有 {count} 行数据，已一并读取；请将表格区域扩展到这些行",
    "{count} rows right below the Excel table were read as well; extend the table to cover them",
    "表格外的行",
)
FORMULA_RECOMPUTED = Code(
    "formula-recomputed", INFO,
    "{label_zh}：{value} 个公式单元格没有缓存值（文件未在电子表格软件中打开过），已由 pimxl 重算（共 {rows} 行）",
    "{label_en}: {value} formula cells had no cached value (never opened in a spreadsheet application); "
    "pimxl recomputed them ({rows} rows)",
    "公式已重算",
)
FORMULA_NO_VALUE = Code(
    "formula-no-value", WARN,
    "公式单元格没有计算结果，pimxl 也无法重新计算；请在 Excel 或 WPS 中打开并保存",
    "formula cell has no cached value and pimxl cannot compute it; open and save the file in Excel or WPS",
    "公式无结果",
)
