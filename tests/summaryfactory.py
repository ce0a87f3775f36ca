"""A realistic sample :class:`Summary` with all twelve sheets, for writer tests and for looking at the result.

Links point at ``projects/<id>/<form>.xlsx`` relative to the ``base_dir`` the test passes to the writer.
"""

from __future__ import annotations

from datetime import date, timedelta

from pimxl.rollup.sheetspec import ChartSpec, Column, Kpi, Link, SheetSpec, Summary

__all__ = ["SHEET_KEYS", "SHEET_NAMES", "sample_summary", "source_paths"]

SHEET_KEYS = ["overview", "contracts", "projects", "overdue", "risks", "adjustments", "sites", "receivables",
              "changes", "trend", "findings", "sources"]
SHEET_NAMES = ["总览", "合同进程表", "项目", "逾期", "风险", "调整", "场地", "应收", "本周变化", "趋势", "校验", "来源"]

AS_OF = date(2026, 11, 27)
PMS = ["王磊", "李静", "张伟", "刘洋", "陈晨"]
SALES = ["李娜", "赵敏", "孙强", "周杰"]
DIVISIONS = ["金融事业部", "政企事业部", "运营商事业部", "能源事业部"]
CUSTOMERS = ["华东某银行数据中心", "市政务服务中心", "省移动公司", "某电网调度中心", "城商行总行"]
STAGES = ["签订合同", "产品下单", "到货验收", "安装调试", "系统初验", "系统终验", "用户付款"]
RAGS = ["绿", "黄", "红"]


def _project(i: int) -> tuple[str, str]:
    return f"P-2026-{i + 1:03d}", f"{CUSTOMERS[i % len(CUSTOMERS)]}网络改造项目{i + 1}期"


def source_paths(n: int = 12) -> list[str]:
    """Every source file the sample links to (relative to base_dir)."""
    return [f"projects/{_project(i)[0]}/{form}.xlsx" for i in range(n) for form in ("合同进程表", "项目计划书")]


def _link(i: int, form: str = "合同进程表", cell: str = "") -> Link:
    pid, _ = _project(i)
    return Link(f"{pid} {form}", f"projects/{pid}/{form}.xlsx", cell)


def _contracts(n: int) -> SheetSpec:
    cols = [Column("contract_no", "合同编号", "Contract no."), Column("project", "项目", "Project", "link"),
            Column("customer", "客户", "Customer"), Column("pm", "项目经理", "PM"),
            Column("sales", "销售", "Sales"), Column("division", "事业部", "Division"),
            Column("amount", "合同金额", "Contract value", "money"), Column("stage", "当前阶段", "Current stage"),
            Column("next_stage", "下一阶段", "Next stage"),
            Column("next_planned", "下一阶段计划日期", "Next stage planned", "date"),
            Column("days_late", "逾期天数", "Days late", "days")]
    for s in STAGES:
        cols += [Column(f"{s}_plan", f"{s}计划", f"{s} planned", "date"),
                 Column(f"{s}_actual", f"{s}实际", f"{s} actual", "date")]
    cols += [Column("received", "已收款", "Received", "money"), Column("receivable", "应收款", "Receivable", "money"),
             Column("rag", "状态", "RAG", "rag"), Column("why", "原因", "Reason"),
             Column("updated", "最后更新", "Last updated", "date")]
    rows = []
    for i in range(n):
        pid, name = _project(i)
        start = AS_OF - timedelta(days=200 - 9 * i)
        reached = i % len(STAGES)
        amount = round(1_250_000.0 + 173_450.55 * i, 2)
        received = round(amount * 0.3 * (reached >= 4), 2)
        row = {"contract_no": f"HT-2026-{i + 1:04d}", "project": _link(i, cell="'合同进程'!D7"),
               "customer": CUSTOMERS[i % len(CUSTOMERS)], "pm": PMS[i % len(PMS)], "sales": SALES[i % len(SALES)],
               "division": DIVISIONS[i % len(DIVISIONS)], "amount": amount, "stage": STAGES[reached],
               "next_stage": STAGES[min(reached + 1, len(STAGES) - 1)],
               "next_planned": start + timedelta(days=30 * (reached + 1)),
               "days_late": [0, 3, 12, 0, 25, 0, 7][i % 7], "received": received,
               "receivable": round(amount - received, 2), "rag": RAGS[[0, 1, 2, 0, 2, 0, 1][i % 7]],
               "why": ["", "到货验收晚3天", "系统初验晚12天", "", "应收逾期75天", "", "调整待批9天"][i % 7],
               "updated": AS_OF - timedelta(days=i % 20)}
        for k, s in enumerate(STAGES):
            row[f"{s}_plan"] = start + timedelta(days=30 * k)
            row[f"{s}_actual"] = start + timedelta(days=30 * k + 2) if k <= reached else None
        rows.append(row)
    return SheetSpec("contracts", "合同进程表", "合同进程表（每合同一行）", cols, rows,
                     note="状态：红 = 阶段逾期超过10天或应收逾期超过60天；黄 = 逾期1–10天或调整待批超过7天；绿 = 正常")


def _projects(n: int) -> SheetSpec:
    cols = [Column("id", "项目编号", "Project id"), Column("name", "项目名称", "Project", "link"),
            Column("pm", "项目经理", "PM"), Column("done", "完成比例", "% complete", "percent"),
            Column("planned", "计划完成", "Planned finish", "date"),
            Column("forecast", "预测完成", "Forecast finish", "date"),
            Column("high_risks", "高风险", "Open high risks", "int"),
            Column("pending", "待批调整", "Pending adjustments", "int"), Column("site", "场地就绪", "Site ready"),
            Column("findings", "问题数", "Findings", "int"), Column("rag", "状态", "RAG", "rag"),
            Column("why", "原因", "Reason")]
    rows = [{"id": _project(i)[0], "name": Link(_project(i)[1], f"projects/{_project(i)[0]}/项目计划书.xlsx"),
             "pm": PMS[i % len(PMS)], "done": (i * 9 % 100) / 100, "planned": AS_OF + timedelta(days=10 * i),
             "forecast": AS_OF + timedelta(days=10 * i + (i % 3) * 5), "high_risks": i % 3,
             "pending": i % 2, "site": ["就绪", "未就绪", "—"][i % 3], "findings": i % 4,
             "rag": RAGS[i % 3], "why": ["", "预测完成晚5天", "高风险逾期"][i % 3]} for i in range(n)]
    return SheetSpec("projects", "项目", "项目（每项目一行）", cols, rows)


def _simple(key: str, name: str, title: str, cols: list[Column], rows: list[dict], note: str = "") -> SheetSpec:
    return SheetSpec(key, name, title, cols, rows, note)


def sample_summary(n: int = 12, *, empty: tuple[str, ...] = ("changes",)) -> Summary:
    """Twelve sheets in SPEC §5 order; sheets keyed in ``empty`` have no rows."""
    link = Column("source", "来源", "Source", "link")
    sheets = [
        SheetSpec("overview", "总览", "中心项目汇总", [], note="数据来自各项目工作簿；点击各表中的链接可打开源文件"),
        _contracts(n), _projects(n),
        _simple("overdue", "逾期", "逾期事项", [
            Column("project", "项目", "Project"), Column("type", "类别", "Type"), Column("item", "事项", "Item"),
            Column("planned", "计划日期", "Planned", "date"), Column("days", "逾期天数", "Days overdue", "days"),
            Column("owner", "负责人", "Owner"), link],
            [{"project": _project(i)[0], "type": ["阶段", "里程碑", "付款", "风险应对"][i % 4],
              "item": STAGES[i % len(STAGES)], "planned": AS_OF - timedelta(days=3 + 7 * i),
              "days": 3 + 7 * i, "owner": PMS[i % len(PMS)], "source": _link(i, cell=f"'合同进程'!E{7 + i}")}
             for i in range(n // 2)]),
        _simple("risks", "风险", "未关闭风险（按等级排序）", [
            Column("project", "项目", "Project"), Column("risk", "风险描述", "Risk"),
            Column("level", "等级", "Level"), Column("response", "应对措施", "Response"),
            Column("owner", "负责人", "Owner"), Column("due", "期限", "Due", "date"),
            Column("rag", "状态", "RAG", "rag"), link],
            [{"project": _project(i)[0], "risk": ["进口设备清关延误", "用户机房改造未完成", "分包商人员不足"][i % 3],
              "level": ["高", "中", "低"][i % 3], "response": "每周跟踪，必要时升级", "owner": PMS[i % len(PMS)],
              "due": AS_OF + timedelta(days=5 - 4 * i), "rag": RAGS[2 - i % 3],
              "source": _link(i, "项目计划书", "'风险'!B5")} for i in range(n // 2)]),
        _simple("adjustments", "调整", "项目调整（待批在前）", [
            Column("project", "项目", "Project"), Column("no", "编号", "No."), Column("what", "调整内容", "Change"),
            Column("asked", "申请日期", "Requested", "date"), Column("state", "状态", "State"),
            Column("waiting", "待批天数", "Days pending", "days"), Column("sales_ok", "销售经理确认", "Sales OK"),
            link],
            [{"project": _project(i)[0], "no": f"TZ-{i + 1:03d}", "what": "系统初验推迟两周",
              "asked": AS_OF - timedelta(days=2 * i), "state": "待批" if i % 2 == 0 else "已批",
              "waiting": 2 * i if i % 2 == 0 else 0, "sales_ok": "否" if i % 2 == 0 else "是",
              "source": _link(i, "项目调整确认表")} for i in range(4)]),
        _simple("sites", "场地", "场地环境确认", [
            Column("project", "项目", "Project"), Column("site", "场地", "Site"),
            Column("checked", "检查日期", "Checked", "date"), Column("install", "计划安装", "Installation", "date"),
            Column("bad", "不合格项", "Non-conforming", "int"), Column("items", "不合格内容", "Items"),
            Column("ready", "就绪", "Ready"), link],
            [{"project": _project(i)[0], "site": f"{CUSTOMERS[i % 5]}机房{i + 1}",
              "checked": AS_OF - timedelta(days=i), "install": AS_OF + timedelta(days=4 + i),
              "bad": i % 3, "items": ["", "UPS容量不足", "接地电阻超标；空调未到位"][i % 3],
              "ready": "是" if i % 3 == 0 else "否", "source": _link(i, "用户场地环境确认表")} for i in range(5)]),
        _simple("receivables", "应收", "应收款（按付款节点）", [
            Column("contract_no", "合同编号", "Contract no."), Column("project", "项目", "Project"),
            Column("node", "付款节点", "Payment node"), Column("amount", "金额", "Amount", "money"),
            Column("due", "到期日", "Due", "date"), Column("received", "已收", "Received", "money"),
            Column("open", "应收", "Receivable", "money"), Column("days", "逾期天数", "Days overdue", "days"),
            Column("bucket", "账龄", "Ageing")],
            [{"contract_no": f"HT-2026-{i + 1:04d}", "project": _project(i)[0], "node": ["预付款", "到货款", "验收款"][i % 3],
              "amount": round(300_000.0 + 12_345.67 * i, 2), "due": AS_OF + timedelta(days=20 - 15 * i),
              "received": 0.0, "open": round(300_000.0 + 12_345.67 * i, 2), "days": max(0, 15 * i - 20),
              "bucket": ["未到期", "0–30", "31–60", "61–90", ">90"][min(4, max(0, (15 * i - 20) // 30 + 1))]}
             for i in range(n)]),
        _simple("changes", "本周变化", "本周变化（与上周快照相比）", [
            Column("kind", "类别", "Kind"), Column("project", "项目", "Project"), Column("what", "说明", "What"),
            Column("before", "之前", "Before"), Column("after", "现在", "Now")],
            [{"kind": "日期推迟", "project": _project(1)[0], "what": "系统初验计划日期", "before": "2026-11-20",
              "after": "2026-12-04"}, {"kind": "新风险", "project": _project(2)[0], "what": "清关延误",
                                       "before": "", "after": "高"}]),
        _simple("trend", "趋势", "每周趋势", [
            Column("week", "周", "Week"), Column("as_of", "截至", "As of", "date"),
            Column("projects", "项目数", "Projects", "int"), Column("red", "红", "Red", "int"),
            Column("amber", "黄", "Amber", "int"), Column("overdue", "逾期事项", "Overdue items", "int"),
            Column("receivable", "应收款", "Receivable", "money")],
            [{"week": f"2026-W{40 + w}", "as_of": AS_OF - timedelta(days=7 * (7 - w)), "projects": 40 + w,
              "red": 3 + w % 3, "amber": 6 - w % 2, "overdue": 10 + 2 * w, "receivable": 8_000_000.0 + 150_000 * w}
             for w in range(8)]),
        _simple("findings", "校验", "校验结果", [
            Column("severity", "严重性", "Severity", "severity"), Column("code", "代码", "Code"),
            Column("where", "位置", "Where", "link"), Column("message", "说明", "Message")],
            [{"severity": ["错误", "警告", "提示"][i % 3], "code": ["date-format", "stage-order", "stale"][i % 3],
              "where": _link(i, cell=f"'合同进程'!D{7 + i}"),
              "message": ["日期无法识别：“2026.13.01”", "实际日期早于上一阶段", "合同进程表超过14天未更新"][i % 3]}
             for i in range(9)] + [{"severity": "警告", "code": "formula-text", "where": "无链接",
                                    "message": "=SUM(A1:A3)"}]),
        _simple("sources", "来源", "文件清单", [
            Column("file", "文件", "File", "link"), Column("kind", "类型", "Kind"), Column("version", "版本", "Version"),
            Column("project", "项目", "Project"), Column("state", "状态", "State"), Column("reason", "原因", "Reason")],
            [{"file": _link(i), "kind": "合同进程表", "version": "00123", "project": _project(i)[0],
              "state": "ok" if i % 4 else "warnings", "reason": ""} for i in range(n)]
            + [{"file": "坏文件.xlsx", "kind": "", "version": "", "project": "", "state": "unreadable",
                "reason": "不是有效的 xlsx 文件（zip 损坏）"}]),
    ]
    for s in sheets:
        if s.key in empty:
            s.rows = []
    kpis = [Kpi("projects", "项目数", "Projects", n), Kpi("contracts", "合同数", "Contracts", n),
            Kpi("red", "红色项目", "Red projects", 4), Kpi("contract_value", "合同总额", "Contract value",
                                                         sum(r["amount"] for r in sheets[1].rows), "money"),
            Kpi("received", "已收款", "Received", 3_456_789.12, "money"),
            Kpi("receivable", "应收款", "Receivable", 12_345_678.9, "money"),
            Kpi("overdue_receivable", "逾期应收", "Overdue receivable", 2_100_000.0, "money"),
            Kpi("on_time", "按期比例", "On time", 0.83, "percent"), Kpi("overdue", "逾期事项", "Overdue items", 6),
            Kpi("pending", "待批调整", "Pending adjustments", 2), Kpi("sites", "场地未就绪", "Sites not ready", 3),
            Kpi("errors", "有错误的文件", "Files with errors", 1)]
    charts = [
        ChartSpec("overview", "各阶段项目数", "column", STAGES, [("项目数", [3, 2, 2, 1, 2, 1, 1])]),
        ChartSpec("overview", "项目状态", "pie", RAGS, [("项目数", [6, 4, 2])]),
        ChartSpec("overview", "应收账龄", "bar", ["未到期", "0–30", "31–60", "61–90", ">90"],
                  [("应收款", [4.2e6, 2.0e6, 1.1e6, 0.6e6, 0.4e6])]),
        ChartSpec("overview", "每周趋势", "line", [f"W{40 + w}" for w in range(8)],
                  [("红", [3 + w % 3 for w in range(8)]), ("逾期事项", [10 + 2 * w for w in range(8)])]),
        ChartSpec("trend", "每周趋势", "line", [f"2026-W{40 + w}" for w in range(8)],
                  [("项目数", [40 + w for w in range(8)]), ("红", [3 + w % 3 for w in range(8)]),
                   ("黄", [6 - w % 2 for w in range(8)]), ("逾期事项", [10 + 2 * w for w in range(8)])]),
    ]
    return Summary(AS_OF, "中心项目汇总", kpis, sheets, charts)
