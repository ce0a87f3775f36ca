"""pimxl adjust ADJUSTMENT… --plan PLAN [--contract CONTRACT] -o OUT — apply approved adjustments."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..errors import UnreadableError, UsageError
from .common import as_of_option, lang_option, settings_for

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUT = click.Path(dir_okay=False, path_type=Path)


@click.command(help="""把已批准的项目调整确认表写入项目计划（及合同进程表）。Apply approved adjustment forms
to the project plan (and the contract progress table).

\b
只应用审批结果为“批准”且三方签字齐全的调整单；其余拒绝并说明原因。调整明细（WBS、里程碑、阶段、
收款节点）、新计划完成日期、新合同金额写入计划的副本 OUT（合同进程表写入 --contract-out，默认与 OUT
同一文件夹、同名），并在“调整记录”工作表中记录每个被修改的单元格。同一调整单再次应用不会改变任何内容。
调整前与计划当前值不符时仍按调整单写入，并给出警告。输入文件不会被修改。
Only forms approved (批准) with all three sign-offs are applied; the others are refused with the
reason. Changes are recorded in an 调整记录 sheet; applying a form twice changes nothing.
Exit: 0 all applied, 1 a form was refused (the others are still applied and written), 2 usage,
3 the plan or contract table cannot be read.""")
@click.argument("adjustments", nargs=-1, required=True, type=_FILE, metavar="ADJUSTMENT...")
@click.option("--plan", "plan", required=True, type=_FILE, help="项目计划书 / the project plan")
@click.option("--contract", "contract", type=_FILE, default=None, help="合同进程表 / contract progress table")
@click.option("-o", "--out", "out", required=True, type=_OUT, help="调整后的计划 / the adjusted plan")
@click.option("--contract-out", "contract_out", type=_OUT, default=None,
              help="调整后的合同进程表 / the adjusted contract table")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档 / print one JSON document")
@as_of_option
@lang_option
def adjust(adjustments: tuple[Path, ...], plan: Path, contract: Path | None, out: Path, contract_out: Path | None,
           as_json: bool, as_of: date | None, lang: str | None) -> None:
    from ..adjust import adjust as run
    from ..adjust.report import render_text, to_json
    from ..errors import FileProblem

    settings = settings_for(plan.parent, lang=lang)
    lang = settings.lang
    zh = lang == "zh"
    if contract is not None and contract_out is None:
        contract_out = out.parent / contract.name
    inputs = {p.resolve() for p in (*adjustments, plan, *([contract] if contract else []))}
    for target in (out, contract_out):
        if target is not None and target.resolve() in inputs:
            raise UsageError(f"输出 {target} 会覆盖输入文件；请另选输出路径" if zh
                             else f"the output {target} would overwrite an input; choose another path")
    if contract_out is not None and contract_out.resolve() == out.resolve():
        raise UsageError("计划与合同进程表不能写到同一个文件" if zh else "OUT and --contract-out are the same file")
    try:
        result = run(list(adjustments), plan, out, contract_path=contract, contract_out=contract_out,
                     as_of=as_of or date.today(), settings=settings)
    except FileProblem as e:
        raise UnreadableError(e.reason(lang)) from None
    if as_json:
        click.echo(json.dumps(to_json(result, lang), ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(result, lang))
    raise SystemExit(result.exit_code)
