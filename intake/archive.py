"""Read a received package, a folder or a zip, treating it as hostile until checked.

`open_package` checks the whole archive before extracting anything: entry count,
declared sizes and compression ratios against `ArchiveLimits`, absolute paths,
`..` components, links and special files, encryption, duplicate names and nested
archives. Any such problem rejects the package and nothing is extracted. Members
are then written to a private temporary folder under numbered names (a member's
own name never becomes a filesystem path), hashed while copied, and sniffed: a file
whose content does not match its extension is a blocking defect.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from intake.defects import Defect, Severity
from intake.sniff import (
    KIND_NAMES,
    RATIO_CHECK_MIN_BYTES,
    ArchiveLimits,
    FileKind,
    expected_kinds,
    extension_of,
    is_archive_name,
    sniff,
)

__all__ = ["ArchiveLimits", "ReceivedFile", "ReceivedPackage", "open_package"]

COPY_CHUNK = 1024**2
# Files that operating systems and editors add by themselves; skipped, not read.
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
JUNK_PREFIXES = ("._", "~$", ".~lock.")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ReceivedFile(BaseModel):
    """One file of a package: its path there, content hash and detected kind."""

    model_config = ConfigDict(frozen=True)

    path: str  # package-relative, '/'-separated, NFC
    local_path: Path  # where the bytes can be read during this intake
    sha256: str
    size: int
    kind: FileKind


class ReceivedPackage(BaseModel):
    """A received package: its files, and defects of the package as a whole."""

    name: str
    source_path: Path
    archive_sha256: str | None = None  # the zip itself, when the package is a zip
    archive_size: int | None = None
    files: list[ReceivedFile] = []
    ignored: list[str] = []  # operating-system clutter such as __MACOSX/ and .DS_Store
    defects: list[Defect] = []

    @property
    def rejected(self) -> bool:
        """True when a defect stops the package before its content is read."""
        return any(d.severity == Severity.BLOCKING for d in self.defects)

    def file(self, path: str) -> ReceivedFile | None:
        """Return the file at package path `path`, if there is one."""
        for received in self.files:
            if received.path == path:
                return received
        return None


@contextmanager
def open_package(path: Path, limits: ArchiveLimits) -> Iterator[ReceivedPackage]:
    """Open a folder or zip package; extracted files live until the block ends."""
    path = Path(path)
    workdir = Path(tempfile.mkdtemp(prefix="heateval-intake-"))
    try:
        if path.is_dir():
            package = _read_folder(path, limits)
        elif path.is_file() and zipfile.is_zipfile(path):
            package = _read_zip(path, limits, workdir)
        elif path.is_file() and _looks_like_zip(path):
            package = ReceivedPackage(name=path.name, source_path=path)
            package.defects.append(_incomplete_zip(path))
        else:
            package = ReceivedPackage(name=path.name, source_path=path)
            package.defects.append(_not_a_package(path))
        if not package.rejected:
            _check_contents(package, limits)
        yield package
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _not_a_package(path: Path) -> Defect:
    if not path.exists():
        message = "找不到提交的文件夹或压缩包，请检查路径。"
    else:
        message = (
            "提交的不是文件夹或 zip 压缩包；"
            "请把全部材料放在一个文件夹里，或压缩为 .zip 后提交。"
        )
    return _archive_defect(path.name, "package.format", message)


def _looks_like_zip(path: Path) -> bool:
    """Tell whether a file that zipfile cannot open still starts as a zip or is
    named like one: an upload cut short loses the directory at the end."""
    with path.open("rb") as stream:
        start = stream.read(4)
    return start == b"PK\x03\x04" or extension_of(path.name) == ".zip"


def _incomplete_zip(path: Path) -> Defect:
    return _archive_defect(
        path.name,
        "archive.invalid",
        "压缩包不完整或已损坏（找不到压缩包末尾的文件目录，常见于上传或复制中断），"
        "无法打开。请重新压缩后完整提交。",
    )


def _archive_defect(
    file: str, rule: str, message: str, value: str | None = None
) -> Defect:
    return Defect(
        file=file, value=value, rule=rule, severity=Severity.BLOCKING, message=message
    )


def is_junk(path: str) -> bool:
    """Tell whether a package path is operating-system clutter to skip."""
    parts = path.split("/")
    if parts[0] == "__MACOSX":
        return True
    last = parts[-1].lower()
    return last in JUNK_NAMES or last.startswith(JUNK_PREFIXES)


def _decode_member_name(info: zipfile.ZipInfo) -> str:
    """Return a member's name as the sender wrote it.

    Zip tools on Chinese Windows store names in GBK without the UTF-8 flag, and
    Python's zipfile then decodes them as CP437. Undo that and try UTF-8 (which
    many tools write without the flag), then GB18030.
    """
    name = info.filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")
    except UnicodeEncodeError:
        return name
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return name


def _path_problem(name: str) -> tuple[str, str] | None:
    """Return (rule, message) when a member name is unsafe, else None."""
    if _CONTROL.search(name):
        return "archive.bad_name", "文件名含有控制字符，请改名后重新压缩。"
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return (
            "archive.absolute_path",
            "压缩包内含绝对路径，请只压缩材料文件夹本身后重新提交。",
        )
    if ".." in name.replace("\\", "/").split("/"):
        return "archive.path_traversal", "压缩包内的路径含有“..”，指向包外，不受理。"
    return None


def _member_path(name: str) -> str:
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    return unicodedata.normalize("NFC", "/".join(parts))


def _read_zip(path: Path, limits: ArchiveLimits, workdir: Path) -> ReceivedPackage:
    archive_sha, archive_size = hash_file(path)
    package = ReceivedPackage(
        name=path.name,
        source_path=path,
        archive_sha256=archive_sha,
        archive_size=archive_size,
    )
    defects = package.defects
    if archive_size > limits.max_total_bytes:
        defects.append(
            _archive_defect(
                path.name, "archive.too_large", "压缩包超过总大小上限，不受理。"
            )
        )
        return package
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        defects.append(
            _archive_defect(
                path.name,
                "archive.invalid",
                f"压缩包已损坏，无法打开（{exc}），请重新压缩。",
            )
        )
        return package

    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            defects.append(
                _archive_defect(
                    path.name,
                    "archive.too_many_entries",
                    f"压缩包内条目过多（{len(infos)} 个，"
                    f"上限 {limits.max_entries} 个），不受理。",
                    str(len(infos)),
                )
            )
            return package
        members = _check_members(path.name, infos, limits, package)
        if package.rejected:
            return package
        _extract(path.name, archive, members, workdir, package)
    return package


def _check_members(
    archive_name: str,
    infos: list[zipfile.ZipInfo],
    limits: ArchiveLimits,
    package: ReceivedPackage,
) -> list[tuple[str, zipfile.ZipInfo]]:
    """Check every member's name, type and sizes; return the (path, info) to extract."""
    members: list[tuple[str, zipfile.ZipInfo]] = []
    seen: set[str] = set()
    total = 0
    for info in infos:
        raw_name = _decode_member_name(info)
        mode = info.external_attr >> 16

        def reject(rule: str, message: str, name: str = raw_name) -> None:
            package.defects.append(
                _archive_defect(archive_name, rule, message, value=name)
            )

        problem = _path_problem(raw_name)
        if problem:
            reject(*problem)
            continue
        if info.create_system == 3 and stat.S_ISLNK(mode):
            reject("archive.link", "压缩包内含符号链接，不受理；请压缩实际文件。")
            continue
        file_type = stat.S_IFMT(mode) if info.create_system == 3 else 0
        # Many writers store only permission bits; no type bits means a regular file.
        if file_type not in (0, stat.S_IFREG, stat.S_IFDIR):
            reject(
                "archive.special_file", "压缩包内含特殊文件（设备、管道等），不受理。"
            )
            continue
        if info.is_dir():
            continue
        member = _member_path(raw_name)
        if is_junk(member):
            package.ignored.append(member)
            continue
        if info.flag_bits & 0x1:
            reject("archive.encrypted", "压缩包内文件已加密，请取消密码后重新压缩。")
            continue
        key = member.casefold()
        if key in seen:
            reject("archive.duplicate_name", "压缩包内有重名文件，请删除重复的文件。")
            continue
        seen.add(key)
        if is_archive_name(member):
            reject("archive.nested", "压缩包里不能再套压缩包，请解压后直接放入文件夹。")
            continue

        total += info.file_size
        if info.file_size > limits.max_file_bytes:
            reject(
                "archive.file_too_large",
                f"文件解压后 {info.file_size} 字节，超过单个文件上限 "
                f"{limits.max_file_bytes} 字节，不受理。",
            )
            continue
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > (
            limits.max_ratio * max(info.compress_size, 1)
        ):
            reject(
                "archive.ratio",
                f"文件压缩比超过 {limits.max_ratio}:1，疑似压缩炸弹，不受理。",
            )
            continue
        members.append((member, info))

    if total > limits.max_total_bytes:
        package.defects.append(
            _archive_defect(
                archive_name,
                "archive.too_large",
                f"压缩包解压后共 {total} 字节，"
                f"超过上限 {limits.max_total_bytes} 字节，不受理。",
                str(total),
            )
        )
    return members


LAYOUT_FOLDERS = frozenset({"application", "tables", "readings", "evidence"})


def _common_root(paths: list[str]) -> str:
    """Return 'name/' when every path sits under one enclosing folder, else ''.

    People zip the package folder itself, so its name comes first in every path.
    A folder of the package layout (tables/, evidence/, ...) is never stripped.
    """
    if not paths:
        return ""
    firsts = {p.split("/", 1)[0] for p in paths}
    if len(firsts) != 1 or not all("/" in p for p in paths):
        return ""
    first = firsts.pop()
    return "" if first.lower() in LAYOUT_FOLDERS else first + "/"


def _extract(
    archive_name: str,
    archive: zipfile.ZipFile,
    members: list[tuple[str, zipfile.ZipInfo]],
    workdir: Path,
    package: ReceivedPackage,
) -> None:
    root = _common_root([member for member, _ in members])
    for index, (member, info) in enumerate(members):
        target = workdir / f"{index:05d}{extension_of(member)}"
        digest = hashlib.sha256()
        size = 0
        try:
            with archive.open(info) as source, target.open("xb") as sink:
                while chunk := source.read(COPY_CHUNK):
                    size += len(chunk)
                    if size > info.file_size:  # header lied about the size
                        raise zipfile.BadZipFile("member longer than declared")
                    digest.update(chunk)
                    sink.write(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            lzma.LZMAError,
            OSError,
            EOFError,
            NotImplementedError,
        ) as exc:
            # A damaged member rejects the package; reading goes on only to name
            # every damaged member in one reply.
            package.defects.append(
                _archive_defect(
                    archive_name,
                    "archive.invalid",
                    f"压缩包内文件“{member}”损坏，无法解压（{exc}），"
                    "请重新压缩后提交。",
                    member,
                )
            )
            continue
        package.files.append(
            ReceivedFile(
                path=member[len(root) :],
                local_path=target,
                sha256=digest.hexdigest(),
                size=size,
                kind=FileKind.BINARY,  # sniffed once everything is extracted
            )
        )


def _read_folder(root: Path, limits: ArchiveLimits) -> ReceivedPackage:
    """List a folder package without following links; links and devices reject it."""
    package = ReceivedPackage(name=root.name, source_path=root)
    found: list[tuple[str, Path, int]] = []
    entries = 0
    total = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as scan:
            for entry in scan:
                entries += 1
                relative = _member_path(Path(entry.path).relative_to(root).as_posix())
                if entries > limits.max_entries:
                    package.defects.append(
                        _archive_defect(
                            root.name,
                            "archive.too_many_entries",
                            f"文件夹内条目超过上限 {limits.max_entries} 个，不受理。",
                        )
                    )
                    return package
                if entry.is_symlink():
                    package.defects.append(
                        _archive_defect(
                            root.name,
                            "archive.link",
                            "文件夹内含符号链接或快捷方式，不受理；请放入实际文件。",
                            relative,
                        )
                    )
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    package.defects.append(
                        _archive_defect(
                            root.name,
                            "archive.special_file",
                            "文件夹内含特殊文件（设备、管道等），不受理。",
                            relative,
                        )
                    )
                    continue
                if is_junk(relative):
                    package.ignored.append(relative)
                    continue
                size = entry.stat(follow_symlinks=False).st_size
                total += size
                if is_archive_name(relative):
                    package.defects.append(
                        _archive_defect(
                            root.name,
                            "archive.nested",
                            "文件夹里不能放压缩包，请解压后直接放入。",
                            relative,
                        )
                    )
                    continue
                if size > limits.max_file_bytes:
                    package.defects.append(
                        _archive_defect(
                            root.name,
                            "archive.file_too_large",
                            f"文件 {size} 字节，"
                            f"超过单个文件上限 {limits.max_file_bytes} 字节。",
                            relative,
                        )
                    )
                    continue
                found.append((relative, Path(entry.path), size))

    if total > limits.max_total_bytes:
        package.defects.append(
            _archive_defect(
                root.name,
                "archive.too_large",
                f"文件夹共 {total} 字节，"
                f"超过上限 {limits.max_total_bytes} 字节，不受理。",
                str(total),
            )
        )
    if package.rejected:
        return package

    prefix = _common_root([relative for relative, _, _ in found])
    for relative, local, _ in sorted(found):
        sha, size = hash_file(local)
        package.files.append(
            ReceivedFile(
                path=relative[len(prefix) :],
                local_path=local,
                sha256=sha,
                size=size,
                kind=FileKind.BINARY,
            )
        )
    return package


def _check_contents(package: ReceivedPackage, limits: ArchiveLimits) -> None:
    """Sniff every file; reject nested archives and content unlike its extension."""
    checked: list[ReceivedFile] = []
    for received in package.files:
        sniffed = sniff(received.local_path, limits)
        checked.append(received.model_copy(update={"kind": sniffed.kind}))
        allowed = expected_kinds(received.path)
        if sniffed.problem:
            package.defects.append(
                _archive_defect(received.path, sniffed.rule, sniffed.problem)
            )
            continue
        if sniffed.kind in (FileKind.EXECUTABLE, FileKind.MACRO_OFFICE):
            package.defects.append(
                _archive_defect(
                    received.path,
                    "file.dangerous",
                    f"文件内容是{KIND_NAMES[sniffed.kind]}，不受理；"
                    "请只提交 PDF、图片、Office 文档和数据表。",
                    KIND_NAMES[sniffed.kind],
                )
            )
            continue
        if sniffed.kind in (FileKind.ZIP, FileKind.ARCHIVE):
            package.defects.append(
                _archive_defect(
                    received.path,
                    "archive.nested",
                    "这是一个压缩包；包里不能再套压缩包，请解压后直接放入文件夹。",
                )
            )
            continue
        if allowed and sniffed.kind not in allowed:
            package.defects.append(
                _archive_defect(
                    received.path,
                    "file.content_mismatch",
                    f"文件扩展名是 {extension_of(received.path)}，但内容是"
                    f"{KIND_NAMES[sniffed.kind]}，与扩展名不符，不受理；"
                    "请提交真实的原始文件。",
                    KIND_NAMES[sniffed.kind],
                )
            )
    package.files = checked


def hash_file(path: Path) -> tuple[str, int]:
    """Return the SHA-256 hex digest and size of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
