"""A small baseline JPEG encoder (numpy only): the venv carries no imaging library."""

from __future__ import annotations

import struct

import numpy as np

# ITU T.81 Annex K quantisation tables, in natural (row-major) order.
_LUMA_Q = np.array(
    [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
     14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
     18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
     49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99],
    dtype=float,
)  # fmt: skip
_CHROMA_Q = np.array(
    [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99,
     24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99]
    + [99] * 32,
    dtype=float,
)  # fmt: skip


def _zigzag() -> np.ndarray:
    order = sorted(
        ((r, c) for r in range(8) for c in range(8)),
        key=lambda p: (p[0] + p[1], p[1] if (p[0] + p[1]) % 2 == 0 else p[0]),
    )
    return np.array([r * 8 + c for r, c in order])


ZIGZAG = _zigzag()
_N = np.arange(8)
_DCT = np.sqrt(2 / 8) * np.cos((2 * _N[None, :] + 1) * _N[:, None] * np.pi / 16)
_DCT[0, :] = np.sqrt(1 / 8)

# Canonical Huffman tables of our own (valid for any baseline decoder): DC categories get
# 4-bit codes, the 162 AC (run, size) symbols 8-bit codes, short enough and never all ones.
_DC_SYMBOLS = list(range(12))
_AC_SYMBOLS = [0x00, 0xF0] + [(run << 4) | size for run in range(16) for size in range(1, 11)]


def _codes(symbols: list[int], length: int) -> dict[int, tuple[int, int]]:
    return {symbol: (index, length) for index, symbol in enumerate(symbols)}


_DC_CODES = _codes(_DC_SYMBOLS, 4)
_AC_CODES = _codes(_AC_SYMBOLS, 8)


def _scaled(table: np.ndarray, quality: int) -> np.ndarray:
    quality = min(max(quality, 1), 100)
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    return np.clip(np.floor((table * scale + 50) / 100), 1, 255)


def encode(rgb: np.ndarray, quality: int = 75) -> bytes:
    """Encode an (H, W, 3) uint8 image as a baseline JPEG (4:4:4, YCbCr)."""
    height, width = rgb.shape[:2]
    pad_h, pad_w = -height % 8, -width % 8
    image = np.pad(rgb.astype(float), ((0, pad_h), (0, pad_w), (0, 0)), mode="edge")
    r, g, b = image[..., 0], image[..., 1], image[..., 2]
    planes = (
        0.299 * r + 0.587 * g + 0.114 * b - 128,
        -0.168736 * r - 0.331264 * g + 0.5 * b,
        0.5 * r - 0.418688 * g - 0.081312 * b,
    )
    tables = (_scaled(_LUMA_Q, quality), _scaled(_CHROMA_Q, quality))
    coefficients = [_blocks(plane, tables[0 if i == 0 else 1]) for i, plane in enumerate(planes)]
    scan = _entropy(coefficients)
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xDB, b"\x00" + bytes(tables[0][ZIGZAG].astype(np.uint8))),
            _segment(0xDB, b"\x01" + bytes(tables[1][ZIGZAG].astype(np.uint8))),
            _segment(
                0xC0,
                struct.pack(">BHHB", 8, height, width, 3)
                + bytes([1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]),
            ),
            _segment(0xC4, _dht(0x00, _DC_SYMBOLS, 4)),
            _segment(0xC4, _dht(0x10, _AC_SYMBOLS, 8)),
            _segment(0xDA, bytes([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])),
            scan,
            b"\xff\xd9",
        ]
    )


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def _dht(table_class_id: int, symbols: list[int], length: int) -> bytes:
    counts = [0] * 16
    counts[length - 1] = len(symbols)
    return bytes([table_class_id, *counts, *symbols])


def _blocks(plane: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Quantised DCT coefficients in zigzag order, one row per 8×8 block (row-major)."""
    h, w = plane.shape
    blocks = plane.reshape(h // 8, 8, w // 8, 8).transpose(0, 2, 1, 3).reshape(-1, 8, 8)
    dct = _DCT @ blocks @ _DCT.T
    quantised = np.round(dct.reshape(-1, 64) / table).astype(int)
    return quantised[:, ZIGZAG]


def _entropy(components: list[np.ndarray]) -> bytes:
    """Huffman-code the interleaved blocks (one of each component per MCU)."""
    out = bytearray()
    acc, bits = 0, 0
    previous = [0, 0, 0]

    def put(code: int, length: int) -> None:
        nonlocal acc, bits
        acc = (acc << length) | code
        bits += length
        while bits >= 8:
            bits -= 8
            byte = (acc >> bits) & 0xFF
            out.append(byte)
            if byte == 0xFF:
                out.append(0)  # byte stuffing
        acc &= (1 << bits) - 1

    def value_bits(value: int) -> tuple[int, int]:
        size = abs(value).bit_length()
        return (value if value > 0 else value + (1 << size) - 1), size

    for index in range(len(components[0])):
        for c, blocks in enumerate(components):
            block = blocks[index]
            dc = int(block[0])
            diff, size = value_bits(dc - previous[c])
            previous[c] = dc
            put(*_DC_CODES[size])
            if size:
                put(diff, size)
            nonzero = np.flatnonzero(block[1:]) + 1
            last = 0
            for position in nonzero.tolist():
                run = position - last - 1
                while run > 15:
                    put(*_AC_CODES[0xF0])
                    run -= 16
                bits_value, size = value_bits(int(block[position]))
                put(*_AC_CODES[(run << 4) | size])
                put(bits_value, size)
                last = position
            if last != 63:
                put(*_AC_CODES[0x00])
    if bits:
        put((1 << (8 - bits)) - 1, 8 - bits)  # pad with ones
    return bytes(out)
