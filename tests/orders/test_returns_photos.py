"""QC photos are images by their bytes: JPEG, PNG and WebP headers decoded, anything else refused.

The helpers here build real image files for the other returns tests (no Pillow)."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from orders.photos import describe_limits, sniff_image


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bytes(width: int = 64, height: int = 48, *, pad_to: int = 0) -> bytes:
    """A real RGB PNG (a diagonal gradient) that browsers decode; `pad_to` adds a private
    ancillary chunk so the file reaches that many bytes."""
    rows = b"".join(
        b"\x00"
        + b"".join(
            bytes(((x * 255) // max(1, width - 1), (y * 255) // max(1, height - 1), 120))
            for x in range(width)
        )
        for y in range(height)
    )
    body = _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    body += _chunk(b"IDAT", zlib.compress(rows))
    out = b"\x89PNG\r\n\x1a\n" + body
    if pad_to > len(out) + 12 + 12:
        out += _chunk(b"paDd", b"\x00" * (pad_to - len(out) - 12 - 12))
    return out + _chunk(b"IEND", b"")


def jpeg_header(width: int = 640, height: int = 480, *, exif: int = 0) -> bytes:
    """SOI, an APP0 (and optionally a large APP1), then a baseline SOF0 with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    app1 = b"\xff\xe1" + struct.pack(">H", exif + 2) + b"\x00" * exif if exif else b""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x22\x00" * 3
    return b"\xff\xd8" + app0 + app1 + sof + b"\xff\xda\x00\x08" + b"\x00" * 64 + b"\xff\xd9"


def webp_vp8x(width: int = 800, height: int = 600) -> bytes:
    chunk = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00"
    chunk += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_vp8l(width: int = 300, height: int = 200) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    chunk = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + struct.pack("<I", bits) + b"\x00"
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_vp8(width: int = 320, height: int = 240) -> bytes:
    frame = b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\x00" * 8
    chunk = b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def test_png_jpeg_and_webp_are_read_from_their_own_header() -> None:
    png = sniff_image(png_bytes(64, 48))
    assert png is not None and (png.content_type, png.ext, png.width, png.height) == (
        "image/png",
        "png",
        64,
        48,
    )
    jpeg = sniff_image(jpeg_header(640, 480))
    assert jpeg is not None and (jpeg.content_type, jpeg.width, jpeg.height) == (
        "image/jpeg",
        640,
        480,
    )
    # a phone's EXIF block comes before the frame header: the walk skips it
    assert sniff_image(jpeg_header(4000, 3000, exif=30_000)) is not None
    for data, size in ((webp_vp8x(800, 600), (800, 600)), (webp_vp8l(300, 200), (300, 200))):
        found = sniff_image(data)
        assert found is not None and found.content_type == "image/webp"
        assert (found.width, found.height) == size
    vp8 = sniff_image(webp_vp8(320, 240))
    assert vp8 is not None and (vp8.width, vp8.height) == (320, 240)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",  # GIF: not one of ours
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.7\n",
        b"PK\x03\x04 a zip",
        b"\x89PNG\r\n\x1a\n\x00\x00",  # truncated PNG
        png_bytes(4, 4)[:20],
        b"\xff\xd8\xff\xe0\x00\x10JFIF",  # a JPEG that ends before its frame header
        b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 40,  # scan before any frame header
        b"RIFF\x10\x00\x00\x00WEBPVP8 ",  # truncated WebP
        b"RIFF\xff\xff\xff\x7fWEBPVP8X" + b"\x00" * 30,  # RIFF size beyond the file
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    assert sniff_image(data) is None


def test_sizes_that_would_hurt_a_browser_are_refused() -> None:
    assert sniff_image(png_bytes(1, 1)) is not None
    header = bytearray(png_bytes(1, 1))
    header[16:24] = struct.pack(">II", 0, 10)  # zero width
    assert sniff_image(bytes(header)) is None
    header[16:24] = struct.pack(">II", 30_000, 10)  # one side too long
    assert sniff_image(bytes(header)) is None
    assert sniff_image(jpeg_header(10_000, 10_000)) is None  # 100 megapixels
    assert sniff_image(webp_vp8x(16_383, 16_383)) is None


def test_the_limits_are_settings(settings: Any) -> None:
    settings.RETURNS_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    settings.RETURNS_PHOTOS_PER_ITEM = 3
    assert describe_limits() == "JPEG, PNG or WebP, up to 2 MB each, at most 3 per item."
