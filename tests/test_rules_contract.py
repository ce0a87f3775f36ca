"""Contract progress rules (SPEC §2.5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from recordfactory import AS_OF, Data, flat, sample_contract

from pimxl.config import Settings
from pimxl.findings import Finding
from pimxl.rules import check_workbook

D = date
E, W = "error", "warning"


def run(d: Data, settings: Settings | None = None) -> list[Finding]:
    return check_workbook(d.build(), as_of=AS_OF, settings=settings)


def stage(d: Data, name: str, key: str = "actual_date") -> str:
    return d.a1(key, "stages", name)


def pay(d: Data, node: str, key: str) -> str:
    return d.a1(key, "payments", node)


def set_stage(name: str, **values: object) -> Callable[[Data], None]:
    return lambda d: d.row("stages", name).update(values)


def set_pay(node: str, **values: object) -> Callable[[Data], None]:
    return lambda d: d.row("payments", node).update(values)


def both(*fns: Callable[[Data], None]) -> Callable[[Data], None]:
    def apply(d: Data) -> None:
        for fn in fns:
            fn(d)
    return apply


CASES: dict[str, tuple[Callable[[Data], None], list[tuple[Callable[[Data], str], str, str]]]] = {
    "actual date goes back": (
        set_stage("产品下单", actual_date=D(2026, 3, 8)),
        [(lambda d: stage(d, "产品下单"), "stage-order", E)]),
    "goes back across a not-applicable stage": (
        set_stage("国内运输", actual_date=D(2026, 3, 15)),
        [(lambda d: stage(d, "国内运输"), "stage-order", E)]),
    "standard stage missing": (
        lambda d: d.tables["stages"].pop(d.index("stages", "培训")),
        [(lambda d: "", "stage-missing", W)]),
    "unknown stage (and so a standard one missing)": (
        set_stage("培训", stage="用户培训"),
        [(lambda d: "", "stage-missing", W), (lambda d: stage(d, "用户培训", "stage"), "stage-unknown", W)]),
    "done without actual date": (
        set_stage("安装调试", status="已完成"),
        [(lambda d: stage(d, "安装调试"), "stage-status-mismatch", E)]),
    "actual date but status not done": (
        set_stage("到货验货", status="进行中"),
        [(lambda d: stage(d, "到货验货", "status"), "stage-status-mismatch", E)]),
    "actual date on a not-applicable stage": (
        set_stage("清关", actual_date=D(2026, 4, 1)),
        [(lambda d: stage(d, "清关", "status"), "stage-status-mismatch", E)]),
    "stage actual in the future": (
        set_stage("安装调试", actual_date=D(2026, 6, 20), status="已完成"),
        [(lambda d: stage(d, "安装调试"), "actual-in-future", E)]),
    "received in the future": (
        set_pay("到货款", received_on=D(2026, 6, 30)),
        [(lambda d: pay(d, "到货款", "received_on"), "actual-in-future", E)]),
    "invoiced in the future": (
        set_pay("到货款", invoiced_on=D(2026, 6, 16), received_on=D(2026, 6, 16)),
        [(lambda d: pay(d, "到货款", "invoiced_on"), "actual-in-future", E),
         (lambda d: pay(d, "到货款", "received_on"), "actual-in-future", E)]),
    # Amounts follow their ratios, so only the ratios are reported (amount-sum would repeat it).
    "ratios do not sum to 100 %": (
        set_pay("质保金", ratio=0.1, amount=100_000.0),
        [(lambda d: pay(d, "质保金", "ratio"), "ratio-sum", E)]),
    "ratio changed, amount not": (
        set_pay("质保金", ratio=0.1),
        [(lambda d: pay(d, "质保金", "ratio"), "ratio-sum", E),
         (lambda d: pay(d, "质保金", "amount"), "amount-ratio-mismatch", E)]),
    "amount overwritten": (
        set_pay("质保金", amount=60_000.0),
        [(lambda d: pay(d, "质保金", "amount"), "amount-sum", E),
         (lambda d: pay(d, "质保金", "amount"), "amount-ratio-mismatch", E)]),
    "amounts without ratios do not sum to the contract": (
        both(*(set_pay(n, ratio=None) for n in ("预付款", "到货款", "初验款", "终验款", "质保金")),
             set_pay("质保金", amount=40_000.0)),
        [(lambda d: pay(d, "质保金", "amount"), "amount-sum", E)]),
    "received more than invoiced": (
        set_pay("预付款", invoiced=200_000.0),
        [(lambda d: pay(d, "预付款", "received"), "received-over-invoiced", W)]),
    "received without an invoice": (
        set_pay("预付款", invoiced=None, invoiced_on=None),
        [(lambda d: pay(d, "预付款", "received"), "received-over-invoiced", W)]),
    "invoiced more than the node amount": (
        set_pay("初验款", invoiced=250_000.0, invoiced_on=D(2026, 6, 1)),
        [(lambda d: pay(d, "初验款", "invoiced"), "invoiced-over-amount", E)]),
    "received before invoiced": (
        set_pay("预付款", received_on=D(2026, 3, 4)),
        [(lambda d: pay(d, "预付款", "received_on"), "received-before-invoiced", E)]),
    "table stale": (
        lambda d: d.form.update(last_updated=D(2026, 6, 7)),
        [(lambda d: d.a1("last_updated"), "stale-table", W)]),
    "payment due by its date": (
        # No trigger stage: 应收日期 alone decides.
        set_pay("初验款", trigger_stage=None, due_date=D(2026, 6, 1)),
        [(lambda d: pay(d, "初验款", "received"), "payment-overdue", W)]),
    "payment due by its trigger stage": (
        set_pay("到货款", received=200_000.0),
        [(lambda d: pay(d, "到货款", "received"), "payment-overdue", W)]),
    "trigger stage not applicable": (
        set_pay("初验款", trigger_stage="清关"),
        [(lambda d: pay(d, "初验款", "trigger_stage"), "trigger-stage-unknown", W)]),
    "trigger stage not applicable: 应收日期 alone decides": (
        # 清关 is 不适用 in this domestic contract, so 初验款 falls due at its 应收日期 06-01 (14 days ago).
        set_pay("初验款", trigger_stage="清关", due_date=D(2026, 6, 1)),
        [(lambda d: pay(d, "初验款", "trigger_stage"), "trigger-stage-unknown", W),
         (lambda d: pay(d, "初验款", "received"), "payment-overdue", W)]),
    "trigger stage not in the table": (
        both(set_pay("初验款", trigger_stage="培训"), lambda d: d.tables["stages"].pop(d.index("stages", "培训"))),
        [(lambda d: "", "stage-missing", W), (lambda d: pay(d, "初验款", "trigger_stage"), "trigger-stage-unknown", W)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_failing(name: str) -> None:
    mutate, expected = CASES[name]
    d = sample_contract()
    mutate(d)
    assert flat(run(d)) == [(cell(d), code, sev) for cell, code, sev in expected]


PASSING: dict[str, Callable[[Data], None]] = {
    "same actual date as the previous stage": set_stage("产品下单", actual_date=D(2026, 3, 10)),
    "a stage without actual date between dated ones": set_stage("国内运输", actual_date=None, status="进行中"),
    "stages listed out of order in the sheet": lambda d: d.tables["stages"].reverse(),
    "ratios off the default split, still 100 %": both(set_pay("终验款", ratio=0.15005, amount=150_050.0),
                                     set_pay("质保金", ratio=0.04995, amount=49_950.0)),
    "amount follows the formula within a fen": set_pay("质保金", amount=50_000.004),
    "amount left to the formula (empty cell)": set_pay("质保金", amount=None),
    "partly invoiced, partly received": set_pay("初验款", invoiced=100_000.0, invoiced_on=D(2026, 6, 1),
                                               received=50_000.0, received_on=D(2026, 6, 10)),
    "received on the invoice day": set_pay("预付款", received_on=D(2026, 3, 5)),
    "updated exactly stale_days ago": lambda d: d.form.update(last_updated=D(2026, 6, 8)),
    "due date in the future": set_pay("初验款", due_date=D(2026, 6, 16)),
    # 到货验货 done 04-28, but the agreed term (应收日期 07-01) is still ahead: not due, nothing overdue.
    "trigger stage done, 应收日期 still ahead": set_pay("到货款", received=None, received_on=None,
                                                 due_date=D(2026, 7, 1)),
    # 到货验货 done 04-28 and 应收日期 06-15 (today): due today, not yet overdue.
    "trigger stage done, 应收日期 today": set_pay("到货款", received=None, received_on=None, due_date=D(2026, 6, 15)),
    "fully received": set_pay("初验款", due_date=D(2026, 6, 1), invoiced=200_000.0, invoiced_on=D(2026, 6, 1),
                              received=200_000.0, received_on=D(2026, 6, 10)),
    "not-applicable stage with no date": set_stage("清关", planned_date=None),
}


@pytest.mark.parametrize("name", list(PASSING))
def test_passing(name: str) -> None:
    d = sample_contract()
    PASSING[name](d)
    assert flat(run(d)) == []


def test_stage_order_names_the_earlier_stage() -> None:
    d = sample_contract()
    d.row("stages", "产品下单")["actual_date"] = D(2026, 3, 8)
    (f,) = run(d)
    assert f.related == (f"{d.path} '合同进程'!{stage(d, '国内采购通知')}",)
    assert "国内采购通知" in f.message_zh and "2026-03-10" in f.message_zh


def test_one_mistyped_date_gives_one_finding() -> None:
    d = sample_contract()
    d.row("stages", "国内采购通知")["actual_date"] = D(2026, 5, 30)  # meant 3-10
    assert flat(run(d)) == [(stage(d, "产品下单"), "stage-order", E)]


def test_payment_overdue_value_is_days_and_due_is_the_later_date() -> None:
    d = sample_contract()
    # 到货验货 done on 4-28, 应收日期 (payment term) 5-15: it fell due on 5-15, 31 days before the as-of date.
    d.row("payments", "到货款").update(received=None, received_on=None, due_date=D(2026, 5, 15))
    (f,) = run(d)
    assert (f.code, f.value, f.field) == ("payment-overdue", 31, "received")
    assert "2026-05-15" in f.message_zh and "300000" in f.message_zh and "应收日期" in f.message_zh
    # Without a 应收日期 the trigger stage's actual date decides: 48 days.
    d.row("payments", "到货款").update(due_date=None)
    (f,) = run(d)
    assert (f.value, "到货验货" in f.message_zh) == (48, True)


def test_payment_not_due_before_its_trigger_stage() -> None:
    d = sample_contract()
    # 系统终验 not done: 终验款 is not due even though its 应收日期 has passed.
    d.row("payments", "终验款").update(due_date=D(2026, 5, 1))
    assert run(d) == []


def test_stale_days_from_settings() -> None:
    d = sample_contract()
    d.form["last_updated"] = D(2026, 6, 1)
    assert flat(run(d, Settings(stale_days=14))) == []
    assert flat(run(d, Settings(stale_days=13))) == [(d.a1("last_updated"), "stale-table", W)]


def test_ratio_sum_message_in_percent() -> None:
    d = sample_contract()
    d.row("payments", "质保金").update(ratio=0.1, amount=100_000.0)
    (f,) = run(d)
    assert "105.00%" in f.message_zh and f.value == 1.05
