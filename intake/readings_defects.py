"""Turn scan counts into defects: one summary per rule plus a few example rows.

A large export can hold millions of bad rows, so each rule yields one summary
defect with the count and at most `EXAMPLES` defects that point at example rows.
Messages are in Chinese because enterprises read them.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from intake.defects import Defect, Severity
from intake.readings_scan import ScanResult, ScanWindow
from intake.readings_source import CHINESE_HEADERS, Column

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_VALUE_CHARS = 100


def clean_value(value: object) -> str | None:
    """Render a value from the file for a message: no control characters, short."""
    if value is None:
        return None
    text = "".join(
        " " if unicodedata.category(char).startswith("C") else char
        for char in str(value)
    )
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + "…"
    return text


def local_time(instant: int, zone: ZoneInfo) -> str:
    """Format epoch microseconds as local time, e.g. 2025-11-01 08:00:00."""
    moment = EPOCH + timedelta(microseconds=instant)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def _temperature_text(value: float) -> str:
    return f"{value:g}"


class DefectBuilder:
    """Build the defects of one readings file."""

    def __init__(
        self, file: str, headers: dict[Column, str], window: ScanWindow, zone: ZoneInfo
    ) -> None:
        self.file = file
        self.headers = headers
        self.window = window
        self.zone = zone
        self.defects: list[Defect] = []

    def header(self, column: Column) -> str:
        return self.headers.get(column) or CHINESE_HEADERS[column]

    def add(
        self,
        rule: str,
        message: str,
        *,
        row: int | None = None,
        column: Column | None = None,
        value: object = None,
        severity: Severity = Severity.REVIEW,
    ) -> None:
        self.defects.append(
            Defect(
                file=self.file,
                row=row,
                column=self.header(column) if column is not None else None,
                value=clean_value(value),
                rule=rule,
                severity=severity,
                message=message,
            )
        )

    def build(self, scan: ScanResult) -> list[Defect]:
        """Return the defects for every rule with a non-zero count."""
        self._malformed(scan)
        self._unparseable(scan)
        self._outside_season(scan)
        self._out_of_range(scan)
        self._duplicates(scan)
        self._long_gaps(scan)
        self._shared_devices(scan)
        return self.defects

    def _summary(self, rule: str, text: str, examples: int) -> None:
        listed = f"以下列出前 {examples} 例。" if examples else ""
        self.add(rule, f"{text}{listed}")

    def _malformed(self, scan: ScanResult) -> None:
        if scan.too_many_malformed:
            self.add(
                "readings.malformed_lines",
                f"格式错误的行超过 {scan.malformed_limit} 行（列数不对或不是 UTF-8 "
                "编码），文件无法作为室温数据使用；请检查导出设置后重新导出上传。",
                severity=Severity.BLOCKING,
            )
            return
        if not scan.malformed_lines:
            return
        self._summary(
            "readings.malformed_lines",
            f"共 {scan.malformed_lines} 行格式错误（列数与表头不一致，"
            "或不是 UTF-8 编码），未计入统计；请核对导出文件。",
            len(scan.malformed_examples),
        )
        for example in scan.malformed_examples:
            self.add(
                "readings.malformed_lines",
                f"第 {example['row']} 行格式错误（{example['error']}），"
                "该行未计入统计。",
                row=example["row"],
                value=example["value"],
            )

    def _unparseable(self, scan: ScanResult) -> None:
        if not scan.unparseable:
            return
        examples = scan.examples.get("unparseable", [])
        self._summary(
            "readings.unparseable",
            f"共 {scan.unparseable} 条读数缺少设备编号或户号，"
            "或时间、室温无法识别，未计入统计；时间应为 ISO 8601 格式"
            "（如 2025-11-01 08:00:00 或 2025-11-01T08:00:00+08:00），室温应为数字。",
            len(examples),
        )
        for example in examples:
            column, problem = self._first_problem(example)
            self.add(
                "readings.unparseable",
                f"第 {example['row']} 行“{self.header(column)}”{problem}，"
                "该读数未计入统计。",
                row=example["row"],
                column=column,
                value=example[_EXAMPLE_KEYS[column]],
            )

    @staticmethod
    def _first_problem(example: dict) -> tuple[Column, str]:
        for column in (Column.DEVICE, Column.HOUSEHOLD):
            if not example[_EXAMPLE_KEYS[column]]:
                return column, "为空"
        if not example["timestamp_ok"]:
            if example["timestamp"] is None or not example["timestamp"].strip():
                return Column.TIMESTAMP, "为空"
            return Column.TIMESTAMP, "不是可识别的时间"
        if example["temperature"] is None or not example["temperature"].strip():
            return Column.TEMPERATURE, "为空"
        return Column.TEMPERATURE, "不是数字"

    def _outside_season(self, scan: ScanResult) -> None:
        if not scan.outside_season:
            return
        examples = scan.examples.get("outside_season", [])
        start = local_time(self.window.start, self.zone)[:10] + " 00:00"
        last_day = local_time(self.window.end - 1, self.zone)[:10]
        end = f"{last_day} 24:00"
        self._summary(
            "readings.outside_season",
            f"共 {scan.outside_season} 条读数的时间不在统计期 {start} 至 {end} 内"
            "（供热季以外，或晚于今天），未计入统计；请核对设备时钟和导出的时间范围。",
            len(examples),
        )
        for example in examples:
            self.add(
                "readings.outside_season",
                f"第 {example['row']} 行时间 {clean_value(example['timestamp'])} "
                f"不在 {start} 至 {end} 内。",
                row=example["row"],
                column=Column.TIMESTAMP,
                value=example["timestamp"],
            )

    def _out_of_range(self, scan: ScanResult) -> None:
        if not scan.out_of_range:
            return
        examples = scan.examples.get("out_of_range", [])
        limits = f"{self.window.minimum}～{self.window.maximum} °C"
        self._summary(
            "readings.out_of_range",
            f"共 {scan.out_of_range} 条室温读数超出合理范围 {limits}，未计入统计；"
            "请检查对应设备是否故障。",
            len(examples),
        )
        for example in examples:
            self.add(
                "readings.out_of_range",
                f"第 {example['row']} 行室温 {clean_value(example['temperature'])} "
                f"超出合理范围 {limits}。",
                row=example["row"],
                column=Column.TEMPERATURE,
                value=example["temperature"],
            )

    def _duplicates(self, scan: ScanResult) -> None:
        if not scan.duplicates:
            return
        examples = scan.examples.get("duplicate", [])
        self._summary(
            "readings.duplicate",
            f"共 {scan.duplicates} 条重复读数（同一设备、同一时间出现多次），"
            "同一设备同一时间只计一条（取其中最低的室温）；请检查平台导出是否重复。",
            len(examples),
        )
        for example in examples:
            device = clean_value(example["device"])
            moment = local_time(example["instant"], self.zone)
            self.add(
                "readings.duplicate",
                f"第 {example['row']} 行与第 {example['previous_row']} 行重复："
                f"设备 {device}，时间 {moment}，室温 "
                f"{_temperature_text(example['temperature'])} °C。",
                row=example["row"],
                column=Column.TIMESTAMP,
                value=f"{device} {moment}",
            )

    def _long_gaps(self, scan: ScanResult) -> None:
        if not scan.devices_with_long_gaps:
            return
        hours = self.window.gap // 3_600_000_000
        self._summary(
            "readings.long_gap",
            f"共 {scan.devices_with_long_gaps} 台设备在统计期内连续超过 {hours} "
            "小时没有有效读数，请说明原因（设备故障、离线或拆除）。",
            len(scan.gap_examples),
        )
        for example in scan.gap_examples:
            silent_from, silent_until = example["from"], example["until"]
            length = example["silence"] / 3_600_000_000
            device = clean_value(example["device"])
            self.add(
                "readings.long_gap",
                f"设备 {device} 从 {local_time(silent_from, self.zone)} 至 "
                f"{local_time(silent_until, self.zone)} 没有有效读数，"
                f"约 {length:.0f} 小时。",
                column=Column.DEVICE,
                value=example["device"],
            )

    def _shared_devices(self, scan: ScanResult) -> None:
        if not scan.shared_devices:
            return
        self._summary(
            "readings.shared_device",
            f"共 {scan.shared_devices} 台设备在统计期内对应多个户号，"
            "各户的读数已分别计入；请核对设备与户号的对应关系"
            "（如设备是否更换了安装位置）。",
            len(scan.shared_device_codes),
        )
        for code in scan.shared_device_codes:
            self.add(
                "readings.shared_device",
                f"设备 {clean_value(code)} 对应多个户号。",
                column=Column.DEVICE,
                value=code,
            )


_EXAMPLE_KEYS = {
    Column.DEVICE: "device",
    Column.HOUSEHOLD: "household",
    Column.TIMESTAMP: "timestamp",
    Column.TEMPERATURE: "temperature",
}
