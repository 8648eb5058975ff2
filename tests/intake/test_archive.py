"""Hostile archives and folders: each kind is rejected before anything is extracted."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest

from intake.archive import open_package
from intake.sniff import ArchiveLimits, FileKind
from tests.intake.builders import PDF_BYTES

LIMITS = ArchiveLimits(
    max_entries=50,
    max_total_bytes=10 * 1024**2,
    max_file_bytes=4 * 1024**2,
    max_ratio=200,
)


def make_zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return path


def rules_of(package) -> list[str]:
    return [d.rule for d in package.defects]


def test_plain_zip_with_top_folder(tmp_path):
    zipped = make_zip(
        tmp_path / "p.zip",
        [("pkg/evidence/C1.4/a.pdf", PDF_BYTES), ("pkg/tables/x.csv", b"a,b\n1,2\n")],
    )
    with open_package(zipped, LIMITS) as package:
        paths = sorted(f.path for f in package.files)
        assert paths == ["evidence/C1.4/a.pdf", "tables/x.csv"]
        assert package.defects == []
        assert package.archive_sha256 is not None


def test_zip_slip_rejected(tmp_path):
    zipped = make_zip(tmp_path / "p.zip", [("../evil.csv", b"a\n")])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.path_traversal"]
        assert package.files == []
    assert not (tmp_path / "evil.csv").exists()


def test_backslash_traversal_rejected(tmp_path):
    zipped = make_zip(tmp_path / "p.zip", [("pkg\\..\\..\\evil.csv", b"a\n")])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.path_traversal"]


@pytest.mark.parametrize("name", ["/etc/cron.d/x", "C:/Windows/x.csv"])
def test_absolute_path_rejected(tmp_path, name):
    zipped = make_zip(tmp_path / "p.zip", [(name, b"a\n")])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.absolute_path"]


def test_symlink_entry_rejected(tmp_path):
    link = zipfile.ZipInfo("evidence/C1.4/licence.pdf")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    zipped = make_zip(tmp_path / "p.zip", [(link, b"/etc/passwd")])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.link"]
        assert package.files == []


def test_nested_zip_by_name_rejected(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("a.pdf", PDF_BYTES)
    zipped = make_zip(
        tmp_path / "p.zip", [("evidence/C1.4/inner.zip", inner.getvalue())]
    )
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.nested"]


def test_nested_zip_disguised_as_pdf_rejected(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("a.pdf", PDF_BYTES)
    zipped = make_zip(
        tmp_path / "p.zip", [("evidence/C1.4/scan.pdf", inner.getvalue())]
    )
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.nested"]
        assert package.defects[0].file == "evidence/C1.4/scan.pdf"


def test_bomb_by_ratio_rejected(tmp_path):
    zeros = bytes(3 * 1024**2)  # deflates about 1000:1
    zipped = make_zip(tmp_path / "p.zip", [("readings/readings.csv", zeros)])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.ratio"]
        assert package.files == []


def test_too_many_entries_rejected(tmp_path):
    members = [(f"evidence/C1.4/{n}.pdf", PDF_BYTES) for n in range(51)]
    zipped = make_zip(tmp_path / "p.zip", members)
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.too_many_entries"]
        assert package.defects[0].value == "51"


def test_file_above_size_limit_rejected(tmp_path):
    small = ArchiveLimits(
        max_entries=50, max_total_bytes=10_000, max_file_bytes=1000, max_ratio=200
    )
    zipped = make_zip(tmp_path / "p.zip", [("tables/x.csv", os.urandom(1500))])
    with open_package(zipped, small) as package:
        assert rules_of(package) == ["archive.file_too_large"]


def test_total_above_size_limit_rejected(tmp_path):
    small = ArchiveLimits(
        max_entries=50, max_total_bytes=3000, max_file_bytes=2000, max_ratio=200
    )
    members = [(f"evidence/C1.4/{n}.bin", os.urandom(1500)) for n in range(3)]
    zipped = make_zip(tmp_path / "p.zip", members)
    with open_package(zipped, small) as package:
        assert rules_of(package) == ["archive.too_large"]


def test_encrypted_entry_rejected(tmp_path):
    zipped = make_zip(tmp_path / "p.zip", [("tables/x.csv", b"a\n")])
    data = bytearray(zipped.read_bytes())
    # Set bit 0 (encrypted) of the general-purpose flags in both headers.
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 1
    data[central + 8] |= 1
    zipped.write_bytes(bytes(data))
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.encrypted"]


def test_duplicate_names_rejected(tmp_path):
    zipped = tmp_path / "p.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("tables/x.csv", b"a\n")
        archive.writestr("TABLES/X.csv", b"b\n")
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.duplicate_name"]


def test_pdf_that_is_an_executable(tmp_path):
    zipped = make_zip(
        tmp_path / "p.zip",
        [("evidence/C1.4/a.pdf", b"\x7fELF\x02\x01\x01" + bytes(64))],
    )
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["file.dangerous"]
        assert package.defects[0].file == "evidence/C1.4/a.pdf"


def test_pdf_that_is_html(tmp_path):
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    zipped = make_zip(tmp_path / "p.zip", [("evidence/C1.4/a.pdf", html)])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["file.content_mismatch"]
        assert "网页" in package.defects[0].message


def test_xlsx_that_is_a_plain_zip(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("x.txt", b"hello")
    zipped = make_zip(tmp_path / "p.zip", [("application.xlsx", inner.getvalue())])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["archive.nested"]


def test_macro_workbook_renamed_rejected(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override ContentType="application/vnd.ms-excel.sheet.'
            'macroEnabled.main+xml"/></Types>',
        )
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    zipped = make_zip(tmp_path / "p.zip", [("application.xlsx", inner.getvalue())])
    with open_package(zipped, LIMITS) as package:
        assert rules_of(package) == ["file.dangerous"]


def test_gbk_member_names_decoded(tmp_path):
    # Zip tools on Chinese Windows store GBK names without the UTF-8 flag. Write a
    # placeholder of the same byte length and patch the GBK bytes in.
    gbk = "许可证.pdf".encode("gbk")
    placeholder = b"abcdef.pdf"
    assert len(placeholder) == len(gbk)
    zipped = make_zip(tmp_path / "p.zip", [("evidence/C1.4/abcdef.pdf", PDF_BYTES)])
    zipped.write_bytes(zipped.read_bytes().replace(placeholder, gbk))
    with open_package(zipped, LIMITS) as package:
        assert [f.path for f in package.files] == ["evidence/C1.4/许可证.pdf"]


def test_macos_clutter_is_skipped(tmp_path):
    zipped = make_zip(
        tmp_path / "p.zip",
        [
            ("pkg/evidence/C1.4/a.pdf", PDF_BYTES),
            ("__MACOSX/pkg/evidence/C1.4/._a.pdf", b"\x00\x05\x16\x07junk"),
            ("pkg/.DS_Store", b"\x00\x00\x00\x01Bud1"),
        ],
    )
    with open_package(zipped, LIMITS) as package:
        assert [f.path for f in package.files] == ["evidence/C1.4/a.pdf"]
        assert package.defects == []


def test_not_a_zip(tmp_path):
    file = tmp_path / "package.rar"
    file.write_bytes(b"Rar!\x1a\x07\x00junk")
    with open_package(file, LIMITS) as package:
        assert rules_of(package) == ["package.format"]


def test_folder_with_symlink_rejected(tmp_path):
    root = tmp_path / "pkg"
    (root / "evidence" / "C1.4").mkdir(parents=True)
    (root / "evidence" / "C1.4" / "a.pdf").write_bytes(PDF_BYTES)
    (root / "evidence" / "C1.4" / "b.pdf").symlink_to("/etc/passwd")
    with open_package(root, LIMITS) as package:
        assert rules_of(package) == ["archive.link"]
        assert package.defects[0].value == "evidence/C1.4/b.pdf"


def test_folder_with_nested_archive_rejected(tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "more.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    with open_package(root, LIMITS) as package:
        assert rules_of(package) == ["archive.nested"]


def test_folder_files_hashed_and_sniffed(tmp_path):
    root = tmp_path / "pkg"
    root.mkdir()
    (root / "a.pdf").write_bytes(PDF_BYTES)
    with open_package(root, LIMITS) as package:
        (only,) = package.files
        assert only.kind == FileKind.PDF
        assert only.sha256 == __import__("hashlib").sha256(PDF_BYTES).hexdigest()


def test_extracted_files_removed_afterwards(tmp_path):
    zipped = make_zip(tmp_path / "p.zip", [("tables/x.csv", b"a\n")])
    with open_package(zipped, LIMITS) as package:
        local = package.files[0].local_path
        assert local.exists()
    assert not local.exists()
