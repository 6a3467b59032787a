"""Scans for the 申請 tests: a PNG of any size (or only its header) and a PDF (or one with a password), made in memory."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from pypdf import PdfWriter


def png(path: Path, w: int = 40, h: int = 60, *, header_only: bool = False) -> Path:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"" if header_only else b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + (b"" if header_only else chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")))
    return path


def pdf(path: Path, *, password: str | None = None, owner_only: bool = False) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(user_password="" if owner_only else password, owner_password=password)
    buf = io.BytesIO()
    writer.write(buf)
    path.write_bytes(buf.getvalue())
    return path
