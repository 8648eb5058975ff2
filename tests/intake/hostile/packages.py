"""Write one malformed or hostile package per kind, each in the test's own folder.

Each builder takes a work folder and returns the path to submit. The packages are
built by the tests rather than checked in, so nothing dangerous sits in the
repository and each package shows exactly what makes it hostile.
"""

from __future__ import annotations

import io
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.intake.builders import PDF_BYTES, build_enterprise_package


def _valid_zip(work: Path, extra: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    """Zip a valid package and add the hostile members."""
    root = build_enterprise_package(work / "pkg")
    target = work / "package.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(root.rglob("*")):
            if file.is_file():
                archive.write(file, "pkg/" + file.relative_to(root).as_posix())
        for info, data in extra:
            archive.writestr(info, data)
    return target


def zip_slip(work: Path) -> Path:
    return _valid_zip(work, [("pkg/../../evil.sh", b"#!/bin/sh\n")])


def absolute_path(work: Path) -> Path:
    return _valid_zip(work, [("/etc/cron.d/evil", b"* * * * * root id\n")])


def symlink_entry(work: Path) -> Path:
    link = zipfile.ZipInfo("pkg/evidence/C1.4/licence.pdf")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    return _valid_zip(work, [(link, b"/etc/shadow")])


def nested_zip(work: Path) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("more.pdf", PDF_BYTES)
    return _valid_zip(work, [("pkg/evidence/C2.1/more.zip", inner.getvalue())])


def bomb_by_ratio(work: Path) -> Path:
    return _valid_zip(work, [("pkg/evidence/C2.1/big.pdf", bytes(8 * 1024**2))])


def too_many_entries(work: Path) -> Path:
    members = [(f"pkg/evidence/C2.1/{n}.pdf", PDF_BYTES) for n in range(2001)]
    return _valid_zip(work, members)


def file_too_large(work: Path) -> Path:
    # Limits are set from the environment by the test: max 64 KiB per file.
    return _valid_zip(work, [("pkg/evidence/C2.1/scan.pdf", PDF_BYTES + bytes(70_000))])


def pdf_is_elf(work: Path) -> Path:
    return _valid_zip(
        work, [("pkg/evidence/C2.1/notice.pdf", b"\x7fELF\x02\x01\x01" + bytes(200))]
    )


def pdf_is_html(work: Path) -> Path:
    page = b"<!DOCTYPE html><html><body><script>fetch('/x')</script></body></html>"
    return _valid_zip(work, [("pkg/evidence/C2.1/notice.pdf", page)])


def not_an_archive(work: Path) -> Path:
    target = work / "package.7z"
    target.write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(32))
    return target


def truncated_zip(work: Path) -> Path:
    # An upload cut short: the central directory at the end is lost.
    target = _valid_zip(work, [])
    data = target.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])
    return target


def damaged_member(work: Path) -> Path:
    # The directory is intact, but one member's deflate stream is garbage, so
    # decompressing it fails inside zlib rather than on the CRC.
    target = _valid_zip(
        work, [("pkg/evidence/C2.1/scan.pdf", PDF_BYTES + bytes(range(256)) * 64)]
    )
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("pkg/evidence/C2.1/scan.pdf")
    data = bytearray(target.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + min(info.compress_size, 200)):
        data[offset] ^= 0x5A
    target.write_bytes(bytes(data))
    return target


def empty_folder(work: Path) -> Path:
    root = work / "pkg"
    (root / "tables").mkdir(parents=True)
    return root


def empty_zip(work: Path) -> Path:
    target = work / "package.zip"
    zipfile.ZipFile(target, "w").close()
    return target


def folder_with_symlink(work: Path) -> Path:
    root = build_enterprise_package(work / "pkg")
    (root / "evidence" / "C2.1").mkdir()
    (root / "evidence" / "C2.1" / "notice.pdf").symlink_to("/etc/passwd")
    return root


def formula_without_cached_value(work: Path) -> Path:
    root = build_enterprise_package(work / "pkg")
    path = root / "application.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["关键数据"]
    sheet["C3"] = "=2+2"  # meetings_called, saved without a computed value
    workbook.save(path)
    return root


def missing_application(work: Path) -> Path:
    root = build_enterprise_package(work / "pkg")
    (root / "application.xlsx").unlink()
    return root


def missing_table(work: Path) -> Path:
    root = build_enterprise_package(work / "pkg")
    (root / "tables" / "drills.csv").unlink()
    return root


def unreadable_gbk_date(work: Path) -> Path:
    root = build_enterprise_package(work / "pkg")
    path = root / "tables" / "complaints.csv"
    text = path.read_text(encoding="utf-8").replace("2025/12/5", "十二月五日")
    path.write_bytes(text.encode("gbk"))
    return root


# name -> (builder, the one blocking rule expected, text the message must contain)
HOSTILE: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "zip_slip": (zip_slip, "archive.path_traversal", ".."),
    "absolute_path": (absolute_path, "archive.absolute_path", "绝对路径"),
    "symlink_entry": (symlink_entry, "archive.link", "符号链接"),
    "nested_zip": (nested_zip, "archive.nested", "压缩包"),
    "bomb_by_ratio": (bomb_by_ratio, "archive.ratio", "压缩炸弹"),
    "too_many_entries": (too_many_entries, "archive.too_many_entries", "条目过多"),
    "file_too_large": (file_too_large, "archive.file_too_large", "超过单个文件上限"),
    "pdf_is_elf": (pdf_is_elf, "file.dangerous", "可执行程序"),
    "pdf_is_html": (pdf_is_html, "file.content_mismatch", "网页"),
    "not_an_archive": (not_an_archive, "package.format", "zip"),
    "truncated_zip": (truncated_zip, "archive.invalid", "不完整"),
    "empty_folder": (empty_folder, "package.empty", "没有任何文件"),
    "empty_zip": (empty_zip, "package.empty", "没有任何文件"),
    "damaged_member": (damaged_member, "archive.invalid", "scan.pdf"),
    "folder_with_symlink": (folder_with_symlink, "archive.link", "符号链接"),
}

MALFORMED: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "formula_without_cached_value": (
        formula_without_cached_value,
        "cell.formula_uncached",
        "重新计算",
    ),
    "missing_application": (
        missing_application,
        "package.missing_application",
        "application.xlsx",
    ),
    "missing_table": (missing_table, "package.missing_table", "应急演练记录"),
    "unreadable_gbk_date": (unreadable_gbk_date, "cell.date", "受理日期"),
}
