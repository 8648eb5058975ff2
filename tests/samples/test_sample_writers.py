"""The byte-level writers of the sample generator: valid files, fixed bytes."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from datetime import datetime

import pytest
from openpyxl import Workbook

from samples.filewriters import (
    _pdf_text,
    encode_csv,
    gzip_bytes,
    minimal_jpeg,
    minimal_pdf,
    minimal_png,
    xlsx_bytes,
    zip_bytes,
)
from samples.package import _GbkZipInfo

MOMENT = datetime(2026, 4, 19, 16, 30)


def test_pdf_text_escapes_delimiters():
    # '(' is U+0028: bytes 00 28, and 0x28 is written as the octal escape \050.
    assert _pdf_text("(a)") == b"(\x00\\050\x00a\x00\\051)"


def test_pdf_xref_offsets_point_at_objects():
    pdf = minimal_pdf("荣誉证书", ["授予：赤峰市某热力有限公司"])
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n0 8\n")
    entries = re.findall(rb"(\d{10}) 00000 n \n", pdf[startxref:])
    assert len(entries) == 7
    for number, offset in enumerate(entries, start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj\n" % number)


def test_pdf_content_stream_holds_the_text():
    pdf = minimal_pdf("许可证", [])
    length = int(re.search(rb"/Length (\d+) /Filter /FlateDecode", pdf).group(1))
    start = pdf.index(b"stream\n") + len(b"stream\n")
    content = zlib.decompress(pdf[start : start + length])
    assert "许可证".encode("utf-16-be") in content


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, position = [], 8
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(
            ">I", data[position + 8 + length : position + 12 + length]
        )
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks.append((kind, body))
        position += 12 + length
    return chunks


def test_png_chunks_and_pixels():
    png = minimal_png(10, 4, (255, 255, 255), [(2, 1, 5, 3, (200, 0, 0))], "截图")
    chunks = _png_chunks(png)
    kinds = [kind for kind, _ in chunks]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert kinds == [b"IHDR", b"iTXt", b"IDAT", b"IEND"]
    assert chunks[0][1] == struct.pack(">IIBBBBB", 10, 4, 8, 2, 0, 0, 0)
    raw = zlib.decompress(chunks[2][1])
    assert len(raw) == 4 * (1 + 3 * 10)
    row1 = raw[31 : 31 + 31]  # second scanline: filter byte, then 10 RGB pixels
    assert row1[1 + 3 * 2 : 1 + 3 * 3] == bytes((200, 0, 0))
    assert row1[1 + 3 * 5 : 1 + 3 * 6] == bytes((255, 255, 255))


def test_jpeg_segments_chain_to_end():
    jpeg = minimal_jpeg([[0, 128], [255, 64]], "comment")
    assert jpeg[:2] == b"\xff\xd8"
    assert jpeg[-2:] == b"\xff\xd9"
    position, markers = 2, []
    while True:
        marker, length = struct.unpack(">HH", jpeg[position : position + 4])
        markers.append(marker)
        if marker == 0xFFC0:
            # precision 8, height 16, width 16, one component
            assert jpeg[position + 4 : position + 10] == b"\x08\x00\x10\x00\x10\x01"
        position += 2 + length
        if marker == 0xFFDA:
            break
    assert markers == [0xFFE0, 0xFFFE, 0xFFDB, 0xFFC0, 0xFFC4, 0xFFDA]


def test_jpeg_decodes_to_block_levels():
    image_module = pytest.importorskip("PIL.Image")
    jpeg = minimal_jpeg([[0, 128], [255, 64]], "comment")
    with image_module.open(io.BytesIO(jpeg)) as image:
        assert image.size == (16, 16)
        assert image.getpixel((3, 3)) == 0
        assert image.getpixel((12, 3)) == 128
        assert image.getpixel((3, 12)) == 255
        assert image.getpixel((12, 12)) == 64


def test_xlsx_times_are_fixed():
    workbook = Workbook()
    workbook.active["A1"] = "x"
    data = xlsx_bytes(workbook, MOMENT)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        stamps = {info.date_time for info in archive.infolist()}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert stamps == {(2026, 4, 19, 16, 30, 0)}
    assert "<dcterms:created" in core
    assert core.count("2026-04-19T16:30:00Z") == 2


def test_zip_names_in_gbk_without_utf8_flag():
    data = zip_bytes([("材料/申报表.xlsx", b"x")], MOMENT, info_class=_GbkZipInfo)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (info,) = archive.infolist()
    assert info.flag_bits & 0x800 == 0
    assert info.filename.encode("cp437").decode("gbk") == "材料/申报表.xlsx"


def test_zip_names_in_utf8_by_default():
    data = zip_bytes([("材料/申报表.xlsx", b"x")], MOMENT)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (info,) = archive.infolist()
    assert info.flag_bits & 0x800 == 0x800
    assert info.filename == "材料/申报表.xlsx"


def test_gzip_header_has_no_time():
    data = gzip_bytes(b"device_id\n")
    assert data[:2] == b"\x1f\x8b"
    assert data[4:8] == b"\x00\x00\x00\x00"
    assert data[3] & 0x08 == 0  # no file name field


def test_csv_encodings():
    utf8 = encode_csv(["户号"], [["01-1-1-101"]], "utf-8-sig")
    gbk = encode_csv(["户号"], [["01-1-1-101"]], "gbk")
    assert utf8 == b"\xef\xbb\xbf" + "户号\r\n01-1-1-101\r\n".encode()
    assert gbk == "户号\r\n01-1-1-101\r\n".encode("gbk")
