"""How many bytes a PDF's streams expand to when read, counted without keeping them.

A PDF keeps its content in streams, nearly always compressed: a few megabytes of zlib can
inflate to gigabytes, and PDFium inflates a page's content in memory before it reads a
character. So before a PDF is handed to PDFium, `expanded_size` finds every stream, decodes
it through its filters a piece at a time, counts the bytes and throws them away, and stops
as soon as the count passes the limit. Memory stays at a few megabytes whatever the file.

1. Find each stream: the keyword `stream` after its dictionary's `>>`.
2. Read its filters (`/Filter /FlateDecode` or an array, names abbreviated or not, or a
   reference to another object that holds them) and where its data ends (`/Length`, or the
   next `endstream`).
3. Decode it through the filters in turn (zlib, run-length, LZW, ASCII hex and ASCII85,
   each in pieces of at most `PIECE` bytes), counting every byte each filter gives.

Image filters (JPEG, JPEG 2000, JBIG2, fax) end the count for their stream: reading text
does not decode pictures. What this cannot see (a stream encrypted in the file, a length kept
in a compressed object) is left to the limits on the reading process (`contained.py`).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import contextlib
import re
import zlib
from collections.abc import Callable, Iterable, Iterator

# Decoded bytes are produced and counted in pieces of at most this size.
PIECE = 1024 * 1024
# Compressed input is fed to zlib in pieces of this size (zlib keeps a copy of what it has
# not used yet, so a small piece keeps that copy small whatever the compression ratio).
FEED = 16 * 1024

STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)?")
OBJECT = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b")
FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+|\d+\s+\d+\s+R)")
LENGTH = re.compile(rb"/Length\s+(\d+)(\s+(\d+)\s+R)?")
NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
REFERENCE = re.compile(rb"(\d+)\s+(\d+)\s+R")
EARLY_CHANGE_OFF = re.compile(rb"/EarlyChange\s+0(?![0-9])")
DIRECT_VALUE = re.compile(rb"\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+|\d+)")

Decoder = Callable[[Iterable[bytes]], Iterator[bytes]]


class TooLarge(Exception):
    """The streams expand past the limit."""


def expanded_size(data: bytes, *, stop_after: int) -> int:
    """The bytes the PDF's filtered streams decode to, counted up to just past `stop_after`
    (a result over `stop_after` means "more than that", not the exact size)."""
    objects = _ObjectIndex(data)
    budget = _Budget(stop_after)
    try:
        for match in STREAM.finditer(data):
            head = objects.dictionary_before(match.start())
            start = match.end()
            end = _stream_end(data, start, head, objects)
            chunks: Iterable[bytes] = _pieces(data, start, end)
            for decoder in _decoders(head, objects, data[start : start + 2]):
                chunks = budget.counted(decoder(chunks))
            for _ in chunks:
                pass
    except TooLarge:
        return stop_after + 1
    return stop_after - budget.left


class _Budget:
    def __init__(self, limit: int):
        self.left = limit

    def counted(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self.left -= len(chunk)
            if self.left < 0:
                raise TooLarge
            yield chunk


class _ObjectIndex:
    """Where each object's body starts (`N G obj`), from one pass over the file."""

    def __init__(self, data: bytes):
        self.data = data
        found = [(m.end(), (int(m[1]), int(m[2]))) for m in OBJECT.finditer(data)]
        self.positions = [position for position, _ in found]
        self.starts = {key: position for position, key in found}

    def dictionary_before(self, end: int) -> bytes:
        """A stream's dictionary: from its object's `obj` keyword to the `>>` before `stream`."""
        index = bisect.bisect_right(self.positions, end) - 1
        start = self.positions[index] if index >= 0 else 0
        return self.data[max(start, end - 64 * 1024) : end + 2]

    def value(self, reference: bytes) -> bytes | None:
        """The direct value (a name, an array or a number) an `N G R` reference points to."""
        found = REFERENCE.fullmatch(reference.strip())
        start = self.starts.get((int(found[1]), int(found[2]))) if found else None
        if start is None:
            return None  # not in the file as written (kept in a compressed object stream)
        value = DIRECT_VALUE.match(self.data, start, start + 4096)
        return value[1] if value else None


def _decoders(head: bytes, objects: _ObjectIndex, first_bytes: bytes) -> list[Decoder]:
    """The stream's filters that decode to more bytes, in order, up to the first that reads
    a picture (or that is unknown). A dictionary can name /Filter more than once (in a string,
    say): the first naming a filter that expands is taken. Data with no such filter that
    starts as zlib data does is counted as zlib data, in case its filter was hidden."""
    for found in FILTER.finditer(head):
        value: bytes | None = found[1]
        if value is not None and REFERENCE.fullmatch(value):
            value = objects.value(value)
        decoders: list[Decoder] = []
        for name in NAME.findall(value or b""):
            decoder = _decoder(name, head)
            if decoder is None:
                break
            decoders.append(decoder)
        if decoders:
            return decoders
    if _looks_like_zlib(first_bytes):
        return [_inflate]
    return []


def _looks_like_zlib(first_bytes: bytes) -> bool:
    """A zlib header: the "deflate" method, and the two bytes a multiple of 31."""
    return (
        len(first_bytes) == 2
        and first_bytes[0] & 0x0F == 8
        and (first_bytes[0] * 256 + first_bytes[1]) % 31 == 0
    )


def _stream_end(data: bytes, start: int, head: bytes, objects: _ObjectIndex) -> int:
    """Where the stream's data ends: its /Length if `endstream` follows it there, otherwise
    the next `endstream` (as PDFium does with a wrong length)."""
    length: int | None = None
    found = LENGTH.search(head)
    if found is not None and found[2] is None:
        length = int(found[1])
    elif found is not None:
        value = objects.value(found[1] + found[2])
        length = int(value) if value is not None and value.isdigit() else None
    if length is not None and data[start + length : start + length + 24].lstrip().startswith(
        b"endstream"
    ):
        return start + length
    end = data.find(b"endstream", start)
    return len(data) if end < 0 else end


def _pieces(data: bytes, start: int, end: int) -> Iterator[bytes]:
    view = memoryview(data)
    for offset in range(start, end, FEED):
        yield bytes(view[offset : min(end, offset + FEED)])


def _decoder(name: bytes, head: bytes) -> Decoder | None:
    if name in (b"FlateDecode", b"Fl"):
        return _inflate
    if name in (b"RunLengthDecode", b"RL"):
        return _run_length
    if name in (b"LZWDecode", b"LZW"):
        early = 0 if EARLY_CHANGE_OFF.search(head) else 1
        return lambda chunks: _lzw(chunks, early)
    if name in (b"ASCIIHexDecode", b"AHx"):
        return _ascii_hex
    if name in (b"ASCII85Decode", b"A85"):
        return _ascii85
    return None


# The filters: each takes pieces of encoded bytes and gives pieces of decoded bytes. Damaged
# data ends a stream quietly, as it ends PDFium's reading of it.


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            pending = chunk
            while True:
                out = inflater.decompress(pending, PIECE)
                if out:
                    yield out
                pending = inflater.unconsumed_tail
                if inflater.eof or (not pending and len(out) < PIECE):
                    break
            if inflater.eof:
                return
    except zlib.error:
        return


def _run_length(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Each run is a length byte: 0-127, copy the next n+1 bytes; 129-255, repeat the next
    byte 257-n times; 128, the end."""
    carry = b""
    out = bytearray()
    for chunk in chunks:
        data = carry + chunk
        i = 0
        while i < len(data):
            n = data[i]
            if n == 128:
                yield bytes(out)
                return
            size = n + 2 if n < 128 else 2
            if i + size > len(data):
                break
            out += data[i + 1 : i + size] if n < 128 else data[i + 1 : i + 2] * (257 - n)
            i += size
            if len(out) >= PIECE:
                yield bytes(out)
                out.clear()
        carry = data[i:]
    yield bytes(out)


def _lzw(chunks: Iterable[bytes], early: int) -> Iterator[bytes]:
    """PDF's LZW: codes of 9 to 12 bits, most significant bit first; 256 clears the table,
    257 ends the data."""
    table: list[bytes] = [bytes([i]) for i in range(256)] + [b"", b""]
    width = 9
    previous: bytes | None = None
    bits = 0
    count = 0
    out = bytearray()
    for chunk in chunks:
        for byte in chunk:
            bits = (bits << 8) | byte
            count += 8
            while count >= width:
                count -= width
                code = (bits >> count) & ((1 << width) - 1)
                bits &= (1 << count) - 1
                if code == 256:
                    del table[258:]
                    width, previous = 9, None
                    continue
                if code == 257:
                    yield bytes(out)
                    return
                if code < len(table):
                    entry = table[code]
                elif code == len(table) and previous is not None:
                    entry = previous + previous[:1]
                else:
                    yield bytes(out)
                    return  # damaged
                out += entry
                if previous is not None and len(table) < 4096:
                    table.append(previous + entry[:1])
                previous = entry
                if len(table) + early >= (1 << width) and width < 12:
                    width += 1
                if len(out) >= PIECE:
                    yield bytes(out)
                    out.clear()
    yield bytes(out)


def _ascii_hex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        digits = carry + bytes(chunk if end < 0 else chunk[:end]).translate(None, b" \t\r\n\f\0")
        whole = len(digits) - len(digits) % 2
        try:
            yield binascii.unhexlify(digits[:whole])
        except binascii.Error:
            return
        carry = digits[whole:]
        if end >= 0:
            break
    if carry:
        with contextlib.suppress(binascii.Error):
            yield binascii.unhexlify(carry + b"0")


def _ascii85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Groups of five characters are four bytes; `z` is four zero bytes; `~>` ends it."""
    carry = b""
    for chunk in chunks:
        end = chunk.find(b"~")
        text = carry + bytes(chunk if end < 0 else chunk[:end]).translate(None, b" \t\r\n\f\0")
        # Everything up to the last `z` is whole groups; after it, whole groups of five.
        last_z = text.rfind(b"z")
        whole = last_z + 1 + (len(text) - last_z - 1) // 5 * 5
        try:
            yield base64.a85decode(text[:whole])
        except ValueError:
            return
        carry = text[whole:]
        if end >= 0:
            break
    if carry:
        try:
            yield base64.a85decode(carry)
        except ValueError:
            return
