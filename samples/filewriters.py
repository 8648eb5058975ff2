"""Byte-exact writers for the sample files: PDF, PNG, JPEG, CSV, gzip, zip and xlsx.

Every writer is a pure function of its arguments, so a seed always gives the same
bytes: no clocks, no host names, fixed zip timestamps and fixed workbook properties.
The images and documents are tiny but valid, because intake checks a file's magic
bytes against its extension.
"""

from __future__ import annotations

import csv
import gzip
import io
import struct
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

# ---------------------------------------------------------------------------- PDF


def _pdf_text(text: str) -> bytes:
    """Encode text as a literal string for the UniGB-UCS2-H CMap (UTF-16BE, BMP only).

    Delimiters, backslash and line ends are written as octal escapes, so the string
    survives any line-end conversion.
    """
    out = bytearray(b"(")
    for byte in text.encode("utf-16-be"):
        if byte in b"()\\\r\n":
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b")")


def minimal_pdf(title: str, lines: Sequence[str]) -> bytes:
    """Return a one-page PDF 1.4 showing `title` and `lines` in Chinese.

    The text uses Adobe's standard STSong-Light CID font, which PDF readers supply,
    so no font is embedded and a page stays near 1 KB.
    """
    commands = [
        b"BT",
        b"/F1 16 Tf",
        b"72 770 Td",
        _pdf_text(title) + b" Tj",
        b"/F1 11 Tf",
    ]
    for line in lines:
        commands.append(b"0 -22 Td")
        commands.append(_pdf_text(line) + b" Tj")
    commands.append(b"ET")
    content = zlib.compress(b"\n".join(commands), 9)

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light "
        b"/Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


# ---------------------------------------------------------------------------- PNG

RGB = tuple[int, int, int]
Rect = tuple[int, int, int, int, RGB]  # left, top, right (exclusive), bottom, colour


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def minimal_png(
    width: int, height: int, background: RGB, rects: Sequence[Rect], description: str
) -> bytes:
    """Return an 8-bit RGB PNG of flat rectangles with a UTF-8 description (iTXt)."""
    pixels = [bytearray(bytes(background) * width) for _ in range(height)]
    for left, top, right, bottom, colour in rects:
        for y in range(max(top, 0), min(bottom, height)):
            row = pixels[y]
            for x in range(max(left, 0), min(right, width)):
                row[3 * x : 3 * x + 3] = bytes(colour)
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)  # filter type 0 per line

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    itxt = b"Description\x00\x00\x00zh-CN\x00\x00" + description.encode("utf-8")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"iTXt", itxt)
        + _png_chunk(b"IDAT", zlib.compress(raw, 9))
        + _png_chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- JPEG

# Luminance DC Huffman table of ITU-T T.81 Annex K.3 (code lengths, then symbols).
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))
# The blocks carry no AC coefficients, so the AC table needs only end-of-block
# (symbol 0x00), coded as the single one-bit code "0".
_AC_BITS = (1,) + (0,) * 15
_AC_VALUES = (0,)
_QUANT = 8


def _huffman_codes(bits: Sequence[int], values: Sequence[int]) -> dict[int, str]:
    """Build the canonical codes of a JPEG Huffman table (T.81 Annex C)."""
    codes: dict[int, str] = {}
    code = 0
    index = 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[values[index]] = format(code, f"0{length}b")
            code += 1
            index += 1
        code <<= 1
    return codes


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def minimal_jpeg(block_means: Sequence[Sequence[int]], comment: str) -> bytes:
    """Return a baseline greyscale JPEG whose 8x8 blocks are flat grey levels.

    `block_means` lists rows of block grey levels (0-255); the image is 8 pixels per
    block in each direction. Only DC coefficients are coded, which keeps the encoder
    to a few lines and the file to a few hundred bytes.
    """
    rows, cols = len(block_means), len(block_means[0])
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALUES)
    eob = _huffman_codes(_AC_BITS, _AC_VALUES)[0]

    bits: list[str] = []
    previous = 0
    for row in block_means:
        for mean in row:
            # The forward DCT's DC term of a flat block is 8 x (level - 128).
            value = round(8 * (min(max(mean, 0), 255) - 128) / _QUANT)
            diff = value - previous
            previous = value
            size = abs(diff).bit_length()
            bits.append(dc_codes[size])
            if size:
                extra = diff if diff > 0 else diff + (1 << size) - 1
                bits.append(format(extra, f"0{size}b"))
            bits.append(eob)
    stream = "".join(bits)
    stream += "1" * (-len(stream) % 8)  # pad the last byte with 1-bits
    entropy = bytearray()
    for start in range(0, len(stream), 8):
        byte = int(stream[start : start + 8], 2)
        entropy.append(byte)
        if byte == 0xFF:
            entropy.append(0x00)  # byte stuffing

    jfif = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quant = b"\x00" + bytes([_QUANT]) * 64
    frame = struct.pack(">BHHB", 8, rows * 8, cols * 8, 1) + b"\x01\x11\x00"
    dht = (
        b"\x00"
        + bytes(_DC_BITS)
        + bytes(_DC_VALUES)
        + b"\x10"
        + bytes(_AC_BITS)
        + bytes(_AC_VALUES)
    )
    scan = b"\x01\x01\x00\x00\x3f\x00"
    return (
        b"\xff\xd8"
        + _segment(0xFFE0, jfif)
        + _segment(0xFFFE, comment.encode("utf-8"))
        + _segment(0xFFDB, quant)
        + _segment(0xFFC0, frame)
        + _segment(0xFFC4, dht)
        + _segment(0xFFDA, scan)
        + bytes(entropy)
        + b"\xff\xd9"
    )


# -------------------------------------------------------------------- CSV and gzip


def encode_csv(
    header: Sequence[str], rows: Iterable[Sequence[object]], encoding: str
) -> bytes:
    """Return CSV bytes with CRLF line ends, as spreadsheet programs export them.

    `encoding` is a Python codec name; `utf-8-sig` writes the byte-order mark that
    Excel on Chinese Windows expects, `gbk` is the legacy Windows code page.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def gzip_bytes(data: bytes) -> bytes:
    """Compress with gzip, with modification time 0 and no file name in the header."""
    return gzip.compress(data, compresslevel=9, mtime=0)


# ------------------------------------------------------------------- zip and xlsx


def _zip_info(
    name: str, moment: datetime, info_class: type[ZipInfo] = ZipInfo
) -> ZipInfo:
    info = info_class(name, date_time=moment.timetuple()[:6])
    info.compress_type = ZIP_DEFLATED
    info.create_system = 3  # Unix, whatever the host, so the bytes do not vary
    info.external_attr = 0o100644 << 16
    return info


def zip_bytes(
    entries: Sequence[tuple[str, bytes]],
    moment: datetime,
    info_class: type[ZipInfo] = ZipInfo,
) -> bytes:
    """Return a zip archive of `entries` in the given order, all stamped `moment`.

    `info_class` decides how entry names are stored (see `samples.package`).
    """
    buffer = io.BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in entries:
            archive.writestr(_zip_info(name, moment, info_class), data)
    return buffer.getvalue()


class _FixedTimeZipFile(ZipFile):
    """A zip writer that stamps every entry with one fixed time."""

    def __init__(self, file: io.BytesIO, moment: datetime) -> None:
        super().__init__(file, "w", ZIP_DEFLATED)
        self._moment = moment

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = _zip_info(zinfo_or_arcname, self._moment)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl writes worksheets from temporary files, which would stamp the
        # entry with the file's modification time.
        with open(filename, "rb") as handle:
            data = handle.read()
        self.writestr(arcname or str(filename), data, compress_type, compresslevel)


def xlsx_bytes(workbook: Workbook, moment: datetime) -> bytes:
    """Return the workbook as xlsx bytes with fixed properties and entry times.

    `openpyxl.Workbook.save` stamps the current time into docProps/core.xml and into
    every zip entry; writing through `ExcelWriter` with a fixed-time archive avoids
    both. `moment` is naive local time and becomes the created and modified dates.
    """
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.creator = "heateval samples"
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    archive = _FixedTimeZipFile(buffer, moment)
    ExcelWriter(workbook, archive).save()
    return buffer.getvalue()
