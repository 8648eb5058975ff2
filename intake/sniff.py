"""Tell what a received file really is from its bytes, not from its name.

A file's extension is a claim by the sender. `sniff` reads the first bytes (and,
for zip-based office files, the `[Content_Types].xml` part) and returns the
detected kind. `expected_kinds` returns the kinds an extension may hold.
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

HEAD_BYTES = 8192
CONTENT_TYPES = "[Content_Types].xml"
MAX_CONTENT_TYPES_BYTES = 1024**2

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
DOCX_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


class FileKind(StrEnum):
    """Content types that intake distinguishes."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    DOCX = "docx"
    XLSX = "xlsx"
    TEXT = "text"  # CSV or other plain text
    JSON = "json"
    GZIP = "gzip"
    PARQUET = "parquet"
    ZIP = "zip"  # a zip that is not an office document: a nested archive
    ARCHIVE = "archive"  # rar, 7z, tar, bzip2, xz
    MACRO_OFFICE = "macro_office"  # xlsm/docm renamed, or with a macro project
    EXECUTABLE = "executable"
    HTML = "html"
    BINARY = "binary"  # anything else


# Chinese name of each kind, for messages to the sender.
KIND_NAMES = {
    FileKind.PDF: "PDF 文件",
    FileKind.JPEG: "JPEG 图片",
    FileKind.PNG: "PNG 图片",
    FileKind.DOCX: "Word 文档（.docx）",
    FileKind.XLSX: "Excel 工作簿（.xlsx）",
    FileKind.TEXT: "文本（CSV）文件",
    FileKind.JSON: "JSON 文件",
    FileKind.GZIP: "gzip 压缩文件",
    FileKind.PARQUET: "Parquet 文件",
    FileKind.ZIP: "zip 压缩包",
    FileKind.ARCHIVE: "压缩包（rar/7z/tar 等）",
    FileKind.MACRO_OFFICE: "带宏的 Office 文件",
    FileKind.EXECUTABLE: "可执行程序",
    FileKind.HTML: "网页（HTML）文件",
    FileKind.BINARY: "无法识别的二进制文件",
}

EXTENSION_KINDS: dict[str, frozenset[FileKind]] = {
    ".pdf": frozenset({FileKind.PDF}),
    ".jpg": frozenset({FileKind.JPEG}),
    ".jpeg": frozenset({FileKind.JPEG}),
    ".png": frozenset({FileKind.PNG}),
    ".docx": frozenset({FileKind.DOCX}),
    ".xlsx": frozenset({FileKind.XLSX}),
    ".csv": frozenset({FileKind.TEXT, FileKind.JSON}),
    ".json": frozenset({FileKind.JSON}),
    ".csv.gz": frozenset({FileKind.GZIP}),
    ".parquet": frozenset({FileKind.PARQUET}),
}

ARCHIVE_EXTENSIONS = frozenset(
    {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".cab"}
)


@dataclass(frozen=True)
class ArchiveLimits:
    """Limits that keep a hostile archive from exhausting disk, memory or time."""

    max_entries: int
    max_total_bytes: int
    max_file_bytes: int
    max_ratio: int

    @classmethod
    def from_settings(cls, settings: object) -> ArchiveLimits:
        """Take the `archive_max_*` values of a `heateval.settings.Settings`."""
        return cls(
            max_entries=settings.archive_max_entries,  # type: ignore[attr-defined]
            max_total_bytes=settings.archive_max_total_bytes,  # type: ignore[attr-defined]
            max_file_bytes=settings.archive_max_file_bytes,  # type: ignore[attr-defined]
            max_ratio=settings.archive_max_ratio,  # type: ignore[attr-defined]
        )


# Compression ratios are checked only above this size: a small file of spaces may
# compress 500:1 and still expands to nothing harmful.
RATIO_CHECK_MIN_BYTES = 1024**2


@dataclass(frozen=True)
class Sniffed:
    """The detected kind, and a Chinese reason when the content is unsafe or broken."""

    kind: FileKind
    problem: str | None = None
    rule: str = "file.invalid"


def extension_of(name: str) -> str:
    """Return the lower-case extension, keeping the double '.csv.gz'."""
    lower = name.lower()
    if lower.endswith(".csv.gz"):
        return ".csv.gz"
    dot = lower.rfind(".")
    slash = lower.rfind("/")
    return lower[dot:] if dot > slash + 1 else ""


def expected_kinds(name: str) -> frozenset[FileKind]:
    """Return the kinds a file with this name may hold (empty when not accepted)."""
    return EXTENSION_KINDS.get(extension_of(name), frozenset())


def is_archive_name(name: str) -> bool:
    """Tell whether the name says 'archive' (nested archives are not accepted)."""
    ext = extension_of(name)
    return ext in ARCHIVE_EXTENSIONS or name.lower().endswith((".tar.gz", ".tar.xz"))


def sniff(path: Path, limits: ArchiveLimits) -> Sniffed:
    """Detect the kind of the file at `path` from its content."""
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(size - 4, 0))
        tail = handle.read(4)

    if head.startswith(b"%PDF-"):
        return Sniffed(FileKind.PDF)
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed(FileKind.JPEG)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed(FileKind.PNG)
    if head.startswith(b"PAR1"):
        if tail == b"PAR1" and size >= 12:
            return Sniffed(FileKind.PARQUET)
        return Sniffed(
            FileKind.PARQUET, "Parquet 文件不完整（文件尾缺失），请重新导出。"
        )
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(path, limits)
    if head.startswith(b"\x1f\x8b"):
        return _sniff_gzip(path, size, limits)
    if _is_other_archive(head):
        return Sniffed(FileKind.ARCHIVE)
    if head.startswith((b"\x7fELF", b"MZ", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        return Sniffed(FileKind.EXECUTABLE)
    if head.startswith(b"#!"):
        return Sniffed(FileKind.EXECUTABLE)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # OLE2: .xls/.doc of Office 97-2003, which can carry macros.
        return Sniffed(
            FileKind.BINARY,
            "旧版 Office 格式（.xls/.doc）不受理，请另存为 .xlsx/.docx。",
            "file.legacy_office",
        )
    return _sniff_text(head)


def _is_other_archive(head: bytes) -> bool:
    return (
        head.startswith(
            (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"BZh", b"\xfd7zXZ\x00")
        )
        or head.startswith(b"\x28\xb5\x2f\xfd")  # zstd
        or head.startswith(b"MSCF")  # cab
        or head[257:262] == b"ustar"
    )


def _sniff_text(head: bytes) -> Sniffed:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Sniffed(FileKind.TEXT)
    if b"\x00" in head:
        return Sniffed(FileKind.BINARY)
    text = _decode_head(head)
    if text is None:
        # No NUL bytes but no known encoding either: most likely text in an
        # encoding such as Big5; the table reader names the encoding problem.
        return Sniffed(FileKind.TEXT)
    stripped = text.lstrip("\ufeff \t\r\n").lower()
    if stripped.startswith(("<!doctype html", "<html", "<script", "<?xml", "<svg")):
        return Sniffed(FileKind.HTML)
    if stripped.startswith(("[", "{")):
        return Sniffed(FileKind.JSON)
    return Sniffed(FileKind.TEXT)


def _decode_head(head: bytes) -> str | None:
    """Decode a file's first bytes as UTF-8 or GB18030; the last one may be cut."""
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):
            try:
                return head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
    return None


def _sniff_zip(path: Path, limits: ArchiveLimits) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            problem = _office_zip_problem(infos, limits)
            if problem:
                rule, message = problem
                return Sniffed(FileKind.ZIP, message, rule)
            names = {info.filename for info in infos}
            if CONTENT_TYPES not in names:
                return Sniffed(FileKind.ZIP)
            info = archive.getinfo(CONTENT_TYPES)
            if info.file_size > MAX_CONTENT_TYPES_BYTES:
                return Sniffed(FileKind.ZIP, "Office 文件结构异常，请重新保存后提交。")
            types = archive.read(info).decode("utf-8", errors="replace")
            has_macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, NotImplementedError):
        return Sniffed(FileKind.ZIP, "文件已损坏，无法打开，请重新保存后提交。")
    except RuntimeError:  # encrypted part
        return Sniffed(
            FileKind.ZIP, "文件已加密，请取消密码后重新提交。", "file.encrypted"
        )

    if XLSM_MAIN in types or DOCM_MAIN in types or has_macros:
        return Sniffed(FileKind.MACRO_OFFICE)
    if XLSX_MAIN in types:
        return Sniffed(FileKind.XLSX)
    if DOCX_MAIN in types:
        return Sniffed(FileKind.DOCX)
    return Sniffed(FileKind.ZIP)


def _office_zip_problem(
    infos: list[zipfile.ZipInfo], limits: ArchiveLimits
) -> tuple[str, str] | None:
    """Check an office file's inner zip against the limits (xlsx bombs exist)."""
    if len(infos) > limits.max_entries:
        return "archive.too_many_entries", (
            f"文件内部条目过多（{len(infos)} 个，上限 {limits.max_entries}），不受理。"
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            return "file.encrypted", "文件已加密，请取消密码后重新提交。"
        if info.file_size > limits.max_file_bytes or total > limits.max_total_bytes:
            return "archive.file_too_large", "文件解压后过大，疑似压缩炸弹，不受理。"
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > (
            limits.max_ratio * max(info.compress_size, 1)
        ):
            return "archive.ratio", "文件压缩比异常，疑似压缩炸弹，不受理。"
    return None


def _sniff_gzip(path: Path, size: int, limits: ArchiveLimits) -> Sniffed:
    """Decompress a gzip file as a stream within the limits; sniff what it holds."""
    inflated = 0
    head = b""
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(1024**2):
                if not head:
                    head = chunk[:HEAD_BYTES]
                inflated += len(chunk)
                if inflated > limits.max_file_bytes:
                    return Sniffed(
                        FileKind.GZIP,
                        "解压后超过单个文件大小上限，不受理。",
                        "archive.file_too_large",
                    )
                ratio_limit = limits.max_ratio * max(size, 1)
                if inflated > RATIO_CHECK_MIN_BYTES and inflated > ratio_limit:
                    return Sniffed(
                        FileKind.GZIP,
                        "压缩比异常，疑似压缩炸弹，不受理。",
                        "archive.ratio",
                    )
    except (OSError, EOFError, zlib.error):
        return Sniffed(FileKind.GZIP, "gzip 文件已损坏，请重新压缩后提交。")
    inner = _sniff_text(head)
    if inner.kind not in (FileKind.TEXT, FileKind.JSON):
        return Sniffed(FileKind.GZIP, "gzip 文件里不是 CSV 文本，请只压缩 CSV 文件。")
    return Sniffed(FileKind.GZIP)
