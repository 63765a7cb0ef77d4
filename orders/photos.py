"""QC photos: what counts as an image, and the limits (no Pillow: the headers are read here).

A photo is accepted only when its bytes are a JPEG, PNG or WebP whose header decodes to a
sane size; the type comes from those bytes, never from the file name or the browser's
Content-Type. Limits are settings (environment variables, see .env.example):

    RETURNS_PHOTO_MAX_BYTES   5 MB per photo
    RETURNS_PHOTOS_PER_ITEM   6 photos per item of a return
    RETURNS_PHOTO_MAX_PIXELS  50 megapixels (a small file can still decode to a huge bitmap)

Files are stored with Django's default storage under MEDIA_ROOT (a local folder in the
embedded mode; production may point MEDIA_ROOT at storage every web machine shares) and are
served only by `orders:return_photo`, never from a public media URL.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from django.conf import settings

MAX_SIDE = 20_000
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp"

# JPEG start-of-frame markers (they carry the size); C4, C8 and CC share the range but are not.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # TEM and RSTn: no length field


def max_bytes() -> int:
    return int(settings.RETURNS_PHOTO_MAX_BYTES)


def per_item() -> int:
    return int(settings.RETURNS_PHOTOS_PER_ITEM)


def max_pixels() -> int:
    return int(settings.RETURNS_PHOTO_MAX_PIXELS)


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    ext: str
    width: int
    height: int


def _jpeg(data: bytes) -> ImageInfo | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image or start of scan before any frame header
            return None
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if length < 2:
            return None
        if marker in _SOF:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return ImageInfo("image/jpeg", "jpg", width, height)
        pos += 2 + length
    return None


def _png(data: bytes) -> ImageInfo | None:
    if len(data) < 33 or data[12:16] != b"IHDR":
        return None
    (length,) = struct.unpack(">I", data[8:12])
    if length != 13:
        return None
    width, height = struct.unpack(">II", data[16:24])
    return ImageInfo("image/png", "png", width, height)


def _webp(data: bytes) -> ImageInfo | None:
    if len(data) < 25:
        return None
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data) + 1:  # the RIFF says the file is longer than it is
        return None
    chunk = data[12:16]
    if chunk in (b"VP8 ", b"VP8X") and len(data) < 30:
        return None
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo("image/webp", "webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        if data[20] != 0x2F:
            return None
        (bits,) = struct.unpack("<I", data[21:25])
        return ImageInfo("image/webp", "webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageInfo("image/webp", "webp", width, height)
    return None


def sniff_image(data: bytes) -> ImageInfo | None:
    """The image type and size read from the bytes' own header, or None when they are not a
    JPEG, PNG or WebP with a sane size."""
    found: ImageInfo | None = None
    if data[:3] == b"\xff\xd8\xff":
        found = _jpeg(data)
    elif data[:8] == b"\x89PNG\r\n\x1a\n":
        found = _png(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        found = _webp(data)
    if found is None:
        return None
    if not (1 <= found.width <= MAX_SIDE and 1 <= found.height <= MAX_SIDE):
        return None
    if found.width * found.height > max_pixels():
        return None
    return found


def describe_limits() -> str:
    return (
        f"JPEG, PNG or WebP, up to {max_bytes() // (1024 * 1024)} MB each,"
        f" at most {per_item()} per item."
    )
