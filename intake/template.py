"""Generate the blank application workbook for a season from the rulebook.

The workbook has the sheets intake reads (基本信息, 关键数据, 自评分), an
instructions sheet first, and a hidden sheet of drop-down values. Cells whose
values come from a set get a drop-down list; numbers get range checks, so Excel
and WPS stop most typing errors before the file is sent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from intake.cells import Kind
from intake.schema import (
    CLAIM_HEADERS,
    CLAIMS_SHEET,
    ENTERPRISE_TABLES,
    ENTERPRISE_TYPE_NAMES,
    IDENTITY_FIELDS,
    IDENTITY_HEADERS,
    IDENTITY_SHEET,
    INSTRUCTIONS_SHEET,
    KEY_FIGURE_HEADERS,
    KEY_FIGURES,
    KEY_FIGURES_SHEET,
    figure_kind,
    figure_label,
    figure_unit,
)
from rules.counties import load_counties

OPTIONS_SHEET = "选项"
APPLIES_TO_NAMES = {"heat_source": "热源单位", "heating": "供热单位"}


def county_choices() -> list[str]:
    """Return the county drop-down entries, '150402 红山区' style."""
    return [f"{c.code} {c.name}" for c in load_counties()]


def build_template(season: str, rulebook: Any, *, intake_days: int = 30) -> Any:
    """Build the blank application workbook (an openpyxl Workbook) for `season`."""
    from openpyxl import Workbook

    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, season, rulebook, intake_days)
    _write_options(workbook.create_sheet(OPTIONS_SHEET))
    _write_identity(workbook.create_sheet(IDENTITY_SHEET), season)
    _write_key_figures(workbook.create_sheet(KEY_FIGURES_SHEET))
    _write_claims(workbook.create_sheet(CLAIMS_SHEET), rulebook)
    workbook[OPTIONS_SHEET].sheet_state = "hidden"
    workbook.active = workbook.sheetnames.index(IDENTITY_SHEET)
    return workbook


def write_template(
    season: str, rulebook: Any, out: Path, *, intake_days: int = 30
) -> Path:
    """Write the blank workbook to `out` (an .xlsx path) and return the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    build_template(season, rulebook, intake_days=intake_days).save(out)
    return out


def _style_header(sheet: Any, widths: list[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _write_instructions(
    sheet: Any, season: str, rulebook: Any, intake_days: int
) -> None:
    from openpyxl.styles import Alignment, Font

    tables = "、".join(
        f"tables/{spec.name}.csv（{spec.title}）" for spec in ENTERPRISE_TABLES.values()
    )
    lines = [
        f"{season} 年度城镇集中供热企业综合评价 申报及自评表",
        f"评价标准：{rulebook.title}（版本 {rulebook.edition}）",
        "",
        "一、填写要求",
        "1. 请在“基本信息”“关键数据”“自评分”三张表中填写，"
        "不要删除、改名或调整工作表和表头。",
        "2. 有下拉列表的单元格请从列表中选择；“是/否”类指标只填“是”或“否”。",
        "3. 日期可写成 2026-03-31、2026/3/31 或 2026年3月31日；"
        "比例可写成 0.95 或 95%。",
        "4. 数值请直接填写数字，不要写成公式；"
        "如用公式，请在 Excel 或 WPS 中保存后再提交。",
        "5. 统一社会信用代码按营业执照填写 18 位；所属旗县区从下拉列表选择。",
        "6. 自评得分不得超过该细项满分；不适用于本企业类型的细项填 0，并在说明中注明。",
        "",
        "二、提交材料（放在同一个文件夹中，或压缩为一个 .zip 文件）",
        "application.xlsx：本申报及自评表",
        f"台账（表头见 docs/package.md，可为 .csv、.xlsx 或 .json）：{tables}",
        "readings/readings.csv：在线监测平台导出的室温数据（设备编号、户号、时间、室温）",
        "evidence/<细项编号>/：每个细项的证明材料（PDF、JPG、PNG、DOCX、XLSX），"
        "如 evidence/C1.4/许可证.pdf",
        "压缩包内不得再套压缩包，不得包含程序、网页或带宏的文件。",
        "",
        "三、提交期限",
        f"供热期结束后 {intake_days} 日内提交"
        "（期限最后一日为法定节假日的，顺延至节后第一个工作日）。",
    ]
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=line)
        cell.alignment = Alignment(wrap_text=False)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110


def _write_options(sheet: Any) -> None:
    sheet.cell(row=1, column=1, value="所属旗县区")
    for number, choice in enumerate(county_choices(), start=2):
        sheet.cell(row=number, column=1, value=choice)
    sheet.cell(row=1, column=2, value="企业类型")
    for number, name in enumerate(ENTERPRISE_TYPE_NAMES.values(), start=2):
        sheet.cell(row=number, column=2, value=name)


def _list_validation(formula: str, prompt: str) -> Any:
    from openpyxl.worksheet.datavalidation import DataValidation

    validation = DataValidation(
        type="list", formula1=formula, allow_blank=True, showDropDown=False
    )
    validation.error = prompt
    validation.errorTitle = "输入值无效"
    validation.showErrorMessage = True
    return validation


def _write_identity(sheet: Any, season: str) -> None:
    sheet.append(list(IDENTITY_HEADERS))
    for column in IDENTITY_FIELDS:
        value = season if column.key == "season" else None
        sheet.append([column.header, value])
    _style_header(sheet, [22, 48])
    for row in range(2, len(IDENTITY_FIELDS) + 2):
        sheet.cell(row=row, column=2).number_format = "@"

    rows = {c.key: index for index, c in enumerate(IDENTITY_FIELDS, start=2)}
    county_count = len(county_choices())
    county = _list_validation(
        f"={OPTIONS_SHEET}!$A$2:$A${county_count + 1}", "请从下拉列表中选择旗县区。"
    )
    county.add(f"B{rows['county']}")
    kind = _list_validation(
        f'"{",".join(ENTERPRISE_TYPE_NAMES.values())}"', "请选择热源单位或供热单位。"
    )
    kind.add(f"B{rows['type']}")
    for validation in (county, kind):
        sheet.add_data_validation(validation)

    from openpyxl.worksheet.datavalidation import DataValidation

    code = DataValidation(type="textLength", operator="equal", formula1="18")
    code.error = "统一社会信用代码应为 18 位。"
    code.showErrorMessage = True
    code.add(f"B{rows['credit_code']}")
    sheet.add_data_validation(code)


def _write_key_figures(sheet: Any) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.append(list(KEY_FIGURE_HEADERS))
    yes_no = _list_validation('"是,否"', "只能选择“是”或“否”。")
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    whole.error = "请填写 0 或正整数。"
    share = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="1"
    )
    share.error = "请填写 0 到 100% 之间的比例。"
    amount = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    amount.error = "请填写 0 或正数。"
    for validation in (whole, share, amount):
        validation.showErrorMessage = True
    by_kind = {
        Kind.BOOL: yes_no,
        Kind.INT: whole,
        Kind.SHARE: share,
        Kind.DECIMAL: amount,
    }

    for row, field in enumerate(KEY_FIGURES, start=2):
        sheet.append([field, figure_label(field), None, figure_unit(field)])
        kind = figure_kind(field)
        by_kind[kind].add(f"C{row}")
        if kind is Kind.SHARE:
            sheet.cell(row=row, column=3).number_format = "0.00%"
    for validation in by_kind.values():
        sheet.add_data_validation(validation)
    _style_header(sheet, [30, 34, 14, 8])


def _write_claims(sheet: Any, rulebook: Any) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.append(list(CLAIM_HEADERS))
    rows: list[tuple[str, str, str, Any, str]] = []
    for category in rulebook.categories:
        only = _applies_note(category.applies_to)
        for item in category.sub_items:
            rows.append((item.id, category.name, item.name, item.points, only))
    for bonus in rulebook.bonus:
        only = _applies_note(bonus.applies_to)
        rows.append((bonus.id, "加分项", bonus.name, bonus.points, only))

    for number, (sub_item, category, name, points, note) in enumerate(rows, start=2):
        sheet.append([sub_item, category, name, points, None, note])
        validation = DataValidation(
            type="decimal", operator="between", formula1="0", formula2=str(points)
        )
        validation.error = f"自评得分应在 0 到 {points} 分之间。"
        validation.showErrorMessage = True
        validation.add(f"E{number}")
        sheet.add_data_validation(validation)
    _style_header(sheet, [10, 16, 30, 8, 10, 40])


def _applies_note(applies_to: Any) -> str:
    kinds = {str(getattr(t, "value", t)) for t in applies_to}
    if kinds == set(APPLIES_TO_NAMES):
        return ""
    names = "、".join(APPLIES_TO_NAMES[k] for k in sorted(kinds))
    return f"仅{names}填写"
