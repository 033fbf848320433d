"""The console's display surface on pixman, against the built core.

Expected pixels come from a model of the formats written here from their
names (channel order most significant first, little-endian memory, channels
reduced to their width by dropping low bits and widened back by repeating
their bits), not from pixman: pixman has to agree with it.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from e2e import load_extension, parse_config_header

pytestmark = pytest.mark.slow

FORMATS = ("a8r8g8b8", "x8r8g8b8", "a8b8g8r8", "x8b8g8r8", "b8g8r8a8", "b8g8r8x8", "r8g8b8a8",
           "r8g8b8x8", "r8g8b8", "b8g8r8", "r5g6b5", "b5g6r5", "a1r5g5b5", "x1r5g5b5")


def channels(fmt: str) -> list[tuple[str, int]]:
    """'a1r5g5b5' -> [('a', 1), ('r', 5), ('g', 5), ('b', 5)], most significant first."""
    return [(fmt[i], int(fmt[i + 1])) for i in range(0, len(fmt), 2)]


def bytes_per_pixel(fmt: str) -> int:
    return sum(width for _, width in channels(fmt)) // 8


def widen(value: int, width: int) -> int:
    """A width-bit channel as 8 bits, its bits repeated (0b10110 -> 0b10110101)."""
    result, filled = 0, 0
    while filled < 8:
        result = (result << width) | value
        filled += width
    return result >> (filled - 8)


def stored(fmt: str, argb: int) -> tuple[int, int]:
    """(pixel value, mask of the bits that hold a channel) for a colour written into fmt."""
    source = {"a": argb >> 24 & 0xFF, "r": argb >> 16 & 0xFF, "g": argb >> 8 & 0xFF, "b": argb & 0xFF}
    value = mask = 0
    for name, width in channels(fmt):
        value <<= width
        mask <<= width
        if name != "x":
            value |= source[name] >> (8 - width)
            mask |= (1 << width) - 1
    return value, mask


def read_back(fmt: str, argb: int) -> int:
    """The 0xAARRGGBB a pixel of fmt reads back as after argb was written into it."""
    value, _ = stored(fmt, argb)
    got = {"a": 0xFF}
    shift = sum(width for _, width in channels(fmt))
    for name, width in channels(fmt):
        shift -= width
        if name != "x":
            got[name] = widen(value >> shift & ((1 << width) - 1), width)
    return got["a"] << 24 | got["r"] << 16 | got["g"] << 8 | got["b"]


@pytest.fixture(scope="module")
def qc(core_on: Path) -> ModuleType:
    return load_extension(core_on)


@pytest.fixture(scope="module")
def no_pixman(core_off: Path) -> Path:
    return core_off


def test_pixman_console_is_compiled_in(qc: ModuleType) -> None:
    assert qc.console_available() is True
    assert qc.console().startswith("pixman 0.")
    assert qc.surface_formats() == FORMATS
    assert qc.build_config()["CONFIG_PIXMAN"] is True
    # ati-vga's 2D engine draws through pixman when it is there
    assert ("ati-vga", "pci", "ATI Rage128/Radeon VGA (2D engine on pixman)") in qc.devices()


@pytest.mark.parametrize("fmt", FORMATS)
def test_fill_stores_the_format_and_reads_back(qc: ModuleType, fmt: str) -> None:
    rng = random.Random(fmt)
    s = qc.Surface(7, 5, fmt)
    bpp = bytes_per_pixel(fmt)
    assert (s.width, s.height, s.format, s.bits_per_pixel) == (7, 5, fmt, bpp * 8)
    assert s.stride == (7 * bpp + 3) // 4 * 4            # rows padded to 32 bits
    assert s.tobytes() == bytes(s.stride * 5)              # a new surface is zeroed
    colours = [rng.getrandbits(32) for _ in range(6)] + [0xFF000000, 0xFFFFFFFF, 0x80808080]
    for colour in colours:
        s.fill(2, 1, 3, 2, colour)
        raw = s.tobytes()
        value, mask = stored(fmt, colour)
        for y in range(5):
            for x in range(7):
                offset = y * s.stride + x * bpp
                pixel = int.from_bytes(raw[offset:offset + bpp], "little")
                if 2 <= x < 5 and 1 <= y < 3:
                    assert pixel & mask == value, (fmt, hex(colour), x, y)
                    assert s.pixel(x, y) == read_back(fmt, colour)
                else:
                    assert pixel == 0 and s.pixel(x, y) == (0 if "a" in fmt else 0xFF000000)


@pytest.mark.parametrize("src_fmt, dst_fmt", [(a, b) for a in FORMATS for b in FORMATS
                                               if a != b and (a in ("a8r8g8b8", "r5g6b5", "r8g8b8")
                                                              or b in ("a8r8g8b8", "x1r5g5b5"))])
def test_blit_and_convert_between_formats(qc: ModuleType, src_fmt: str, dst_fmt: str) -> None:
    rng = random.Random(src_fmt + dst_fmt)
    src = qc.Surface(8, 4, src_fmt)
    colours = {}
    for x in range(8):
        colours[x] = rng.getrandbits(32)
        src.fill(x, 0, 1, 4, colours[x])
    dst = qc.Surface(10, 6, dst_fmt)
    dst.fill(0, 0, 10, 6, 0xFF0000FF)
    dst.blit(src, 2, 1, 5, 3, 4, 2)                          # src columns 2..5 -> dst x 5..8, y 3..4
    for y in range(6):
        for x in range(10):
            if 5 <= x < 9 and 3 <= y < 5:
                assert dst.pixel(x, y) == read_back(dst_fmt, read_back(src_fmt, colours[x - 3]))
            else:
                assert dst.pixel(x, y) == read_back(dst_fmt, 0xFF0000FF)
    converted = src.convert(dst_fmt)
    assert (converted.width, converted.height, converted.format) == (8, 4, dst_fmt)
    assert [converted.pixel(x, 2) for x in range(8)] == \
        [read_back(dst_fmt, read_back(src_fmt, colours[x])) for x in range(8)]


def test_blit_within_one_surface_copies_as_memmove(qc: ModuleType) -> None:
    s = qc.Surface(16, 1, "a8r8g8b8")
    for x in range(16):
        s.fill(x, 0, 1, 1, 0x01000000 * x + x)
    row = [s.pixel(x, 0) for x in range(16)]
    s.blit(s, 0, 0, 3, 0, 10, 1)                             # overlapping, to the right
    row[3:13] = row[0:10]
    assert [s.pixel(x, 0) for x in range(16)] == row
    s.blit(s, 5, 0, 2, 0, 11, 1)                             # overlapping, to the left
    row[2:13] = row[5:16]
    assert [s.pixel(x, 0) for x in range(16)] == row


@pytest.mark.parametrize("call, message", [
    (lambda s, qc: s.fill(-1, 0, 2, 2, 0), "fill rectangle 2x2 at (-1, 0) is outside the 8x4 surface"),
    (lambda s, qc: s.fill(7, 0, 2, 1, 0), "fill rectangle 2x1 at (7, 0) is outside the 8x4 surface"),
    (lambda s, qc: s.fill(0, 0, 0, 1, 0), "fill rectangle 0x1 is empty"),
    (lambda s, qc: s.pixel(8, 0), "pixel rectangle 1x1 at (8, 0) is outside the 8x4 surface"),
    (lambda s, qc: s.blit(qc.Surface(2, 2), 1, 1, 0, 0, 2, 2),
     "source rectangle 2x2 at (1, 1) is outside the 2x2 surface"),
    (lambda s, qc: s.blit(qc.Surface(4, 4), 0, 0, 6, 0, 4, 4),
     "destination rectangle 4x4 at (6, 0) is outside the 8x4 surface"),
    (lambda s, qc: s.convert("rgb565"), "unknown pixel format 'rgb565'"),
    (lambda s, qc: qc.Surface(0, 4), "a surface of 0x4 pixels: width and height must be 1..16384"),
    (lambda s, qc: qc.Surface(4, 4, "yuv"), "unknown pixel format 'yuv'"),
])
def test_bad_rectangles_and_formats_are_refused_and_leave_the_surface_alone(qc: ModuleType, call, message) -> None:
    s = qc.Surface(8, 4, "x8r8g8b8")
    s.fill(0, 0, 8, 4, 0xFF445566)
    before = s.tobytes()
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        call(s, qc)
    assert s.tobytes() == before


def test_without_pixman_the_stub_says_so(no_pixman: Path) -> None:
    assert parse_config_header(no_pixman / "config-host.h")["CONFIG_PIXMAN"] is False
    qc = load_extension(no_pixman)
    assert qc.console_available() is False
    assert qc.console() == "stub: pixman was not configured (CONFIG_PIXMAN is off)"
    assert qc.surface_formats() == ()
    # the stub's text is configure's decision, generated into qemu-config-features.h
    with pytest.raises(RuntimeError, match="^the pixman console was compiled out: pixman is off: --disable-pixman "
                                           "was given; it needs pkg-config pixman-1 >=0.21.8, Debian: libpixman-1-dev; "
                                           "next: drop --disable-pixman$"):
        qc.Surface(4, 4)
    build_lists = (no_pixman / "qemu-config-build.mak").read_text()
    assert "core/ui/console-stub.c" in build_lists and "core/ui/console.c" not in build_lists
    # ati-vga stays, as QEMU's does without pixman: its 2D engine draws without it, and the model
    # says so and why, in the binary and the extension alike.
    assert "core/hw/display/ati-vga.c" in build_lists
    without = ("ATI Rage128/Radeon VGA (2D engine in plain C, pixman is off: --disable-pixman was given; "
               "it needs pkg-config pixman-1 >=0.21.8, Debian: libpixman-1-dev; next: drop --disable-pixman)")
    help_text = subprocess.run([str(no_pixman / "qemu-system-x86_64"), "-device", "help"],
                               capture_output=True, text=True, check=True).stdout
    assert f'name "ati-vga", bus pci, desc "{without}"\n' in help_text and '"VGA"' in help_text
    assert ("ati-vga", "pci", without) in qc.devices()
