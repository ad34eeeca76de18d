"""Bounded-memory iteration over JSON inputs: JSON lines (one value a line) and one big
array (CloudTrail's ``{"Records": [...]}`` above the whole-file limit, ``gcloud logging
read --format=json``). Each yields (value, line, error) and never holds more than one line
or one array element (at most MAX_ITEM_BYTES) besides a read buffer."""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import orjson

MAX_LINE_BYTES = 8 << 20  # one audit record; longer lines are reported and skipped
MAX_ITEM_BYTES = 32 << 20
CHUNK = 1 << 20
READ_ERRORS = (EOFError, OSError, zlib.error)  # truncated or corrupt gzip, I/O


def iter_lines(stream: BinaryIO, first_line: int = 1) -> Iterator[tuple[object, int, str | None]]:
    """(value, line number, None) for each non-blank line, (None, line, reason) for a bad
    one. A read error (truncated gzip) ends the stream with one last (None, line, reason).
    `first_line` numbers lines of a tail read from the middle of a file."""
    n = first_line - 1
    while True:
        try:
            line = stream.readline(MAX_LINE_BYTES)
        except READ_ERRORS as e:
            yield None, n + 1, f"truncated or corrupt input ({type(e).__name__}: {e})"
            return
        if not line:
            return
        n += 1
        if len(line) >= MAX_LINE_BYTES and not line.endswith(b"\n"):
            try:
                while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                    pass
            except READ_ERRORS:
                pass
            yield None, n, f"line longer than {MAX_LINE_BYTES} bytes"
            continue
        if line.isspace():
            continue
        try:
            yield orjson.loads(line), n, None
        except orjson.JSONDecodeError as e:
            yield None, n, f"malformed JSON ({e.msg})"


def reason_of(why: str) -> str:
    """The problem category of a reason iter_lines/iter_array gave."""
    if why.startswith("truncated or corrupt"):
        return "truncated gzip"
    if why.startswith("line longer"):
        return "line too long"
    return "malformed JSON"


class _Buffer:
    """Decoded text read in chunks, with the line number of its start."""

    def __init__(self, stream: BinaryIO, prefix: bytes = b"") -> None:
        self.stream = stream
        # bytes that are not UTF-8 become lone surrogates, which `_strict` then refuses
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self.text = self.decoder.decode(prefix)
        self.pos = 0
        self.line = 1
        self.eof = False
        self.error: str | None = None

    def more(self) -> bool:
        if self.eof:
            return False
        try:
            data = self.stream.read(CHUNK)
        except READ_ERRORS as e:
            self.error = f"truncated or corrupt input ({type(e).__name__}: {e})"
            data = b""
        if not data:
            self.eof = True
            self.text = self.text[self.pos :] + self.decoder.decode(b"", final=True)
        else:
            self.text = self.text[self.pos :] + self.decoder.decode(data)
        self.pos = 0
        return bool(data)

    def skip(self, chars: str) -> str | None:
        """Skip `chars`; the next character, or None at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in chars:
                if self.text[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return None


_WS = " \t\r\n"
_DECODER = json.JSONDecoder()


def iter_array(stream: BinaryIO, key: str | None = None, prefix: bytes = b""):
    """Elements of a top-level array, or of the array under `key` in a top-level object
    (``Records``), as (value, line, None). A bad element (a lone surrogate, NaN) is (None,
    line, reason) and reading goes on; damage (a syntax error, a truncation, data after the
    array) ends the stream as (None, line, reason).
    `prefix` is bytes already read from the stream."""
    buf = _Buffer(stream, prefix)
    if key is not None:
        # Find `"Records"` then `[`: CloudTrail writes nothing else of size before it.
        while (i := buf.text.find(f'"{key}"', buf.pos)) == -1:
            keep = max(len(buf.text) - len(key) - 2, buf.pos)  # a key split across chunks
            buf.line += buf.text.count("\n", buf.pos, keep)
            buf.pos = keep
            if not buf.more():
                yield None, buf.line, buf.error or f'no "{key}" array'
                return
        buf.line += buf.text.count("\n", buf.pos, i)
        buf.pos = i + len(key) + 2
        if buf.skip(_WS + ":") != "[":
            yield None, buf.line, buf.error or f'"{key}" is not an array'
            return
    elif buf.skip(_WS) != "[":
        yield None, buf.line, buf.error or "not a JSON array"
        return
    buf.pos += 1
    first = True
    while True:
        c = buf.skip(_WS if first else _WS + ",")
        first = False
        if c is None:
            yield None, buf.line, buf.error or "truncated: the array does not end"
            return
        if c == "]":
            # the array is the whole input (or all of its object): anything after it is damage
            buf.pos += 1
            if key is not None:  # the object that holds the array ends too
                if buf.skip(_WS) != "}":
                    yield None, buf.line, buf.error or "truncated: the object does not end"
                    return
                buf.pos += 1
            if buf.skip(_WS) is not None:
                yield None, buf.line, buf.error or "malformed JSON (data after the end of the array)"
            elif buf.error:
                yield None, buf.line, buf.error
            return
        while True:
            try:
                value, end = _DECODER.raw_decode(buf.text, buf.pos)
                break
            except RecursionError:  # the stdlib decoder recurses; orjson stops at 1024 levels
                yield None, buf.line, "malformed JSON (array element nested too deeply)"
                return
            except json.JSONDecodeError as e:
                if len(buf.text) - buf.pos > MAX_ITEM_BYTES:
                    yield None, buf.line, f"array element larger than {MAX_ITEM_BYTES} bytes or malformed"
                    return
                if not buf.more():
                    yield None, buf.line, buf.error or f"malformed or truncated JSON ({e.msg})"
                    return
        line = buf.line
        why = _strict(buf.text, buf.pos, end)
        buf.line += buf.text.count("\n", buf.pos, end)
        buf.pos = end
        yield (None, line, why) if why else (value, line, None)


# What the stdlib decoder takes and the line reader (orjson) refuses: bytes that are not UTF-8
# and escaped lone surrogates, which no report can encode, and NaN/Infinity. Elements that may
# hold them are checked with orjson.
_SUSPECT = re.compile(r"[\udc80-\udcff]|\\u[dD][89a-fA-F]|NaN|Infinity")


def _strict(text: str, start: int, end: int) -> str | None:
    if _SUSPECT.search(text, start, end) is None:
        return None
    try:
        orjson.loads(text[start:end].encode("utf-8", "surrogatepass"))
    except orjson.JSONDecodeError as e:
        return f"malformed JSON ({e.msg})"
    return None
