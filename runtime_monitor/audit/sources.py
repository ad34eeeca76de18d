"""Where audit records come from: local files and folders, and ``s3://bucket/prefix``
(CloudTrail's delivery bucket). Every input is opened as a binary stream, gunzipped when
the name (or the magic bytes) says so. This module and `readers/` are the monitor's only
I/O besides the baseline store."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

LOG_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".log", ".log.gz", ".gz")


@dataclass(frozen=True)
class Input:
    name: str  # what reports cite: a path, or s3://bucket/key
    open_raw: Callable[[], BinaryIO]  # the stored bytes, still compressed
    first_line: int = 1  # > 1 for the tail of a file that --follow reads on

    def open(self) -> BinaryIO:
        """The decompressed bytes. Gzip is recognised by its magic bytes, so a `.json`
        that is really gzipped (S3 with Content-Encoding) reads too."""
        raw = self.open_raw()
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(_Readable(raw), 1 << 20)
        if buffered.peek(2)[:2] == b"\x1f\x8b":
            return gzip.GzipFile(fileobj=buffered, mode="rb")  # type: ignore[return-value]
        return buffered  # type: ignore[return-value]


def salvage(inp: Input, limit: int) -> bytes:
    """As much of a damaged gzip input as decompresses (GzipFile drops the last block it was
    decoding when the stream ends early): read the raw bytes again through zlib."""
    import zlib

    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out, size = [], 0
    with inp.open_raw() as raw:
        while size <= limit and (chunk := raw.read(1 << 20)):
            try:
                piece = d.decompress(chunk, limit + 1 - size)
            except zlib.error:
                break
            out.append(piece)
            size += len(piece)
            if d.eof:
                break
    return b"".join(out)


class _Readable(io.RawIOBase):
    """Adapts a botocore StreamingBody (read only) for BufferedReader."""

    def __init__(self, body) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._body.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close:
            close()
        super().close()


def _is_log(p: Path) -> bool:
    return p.name.lower().endswith(LOG_SUFFIXES) and not p.name.startswith(".")


def local_inputs(path: str | Path) -> Iterator[Input]:
    """A file, or every log file under a folder (sorted, so runs are reproducible)."""
    p = Path(path)
    if p.is_dir():
        for f in sorted(x for x in p.rglob("*") if x.is_file() and _is_log(x)):
            yield Input(str(f), lambda f=f: _open(f))
    else:
        yield Input(str(p), lambda: _open(p))


def _open(p: Path) -> BinaryIO:
    return p.open("rb", buffering=1 << 20)  # closed by the reader that opens it


def s3_inputs(url: str, client=None) -> Iterator[Input]:
    """Every object under s3://bucket/prefix, in key order (CloudTrail's keys sort by
    account, region and date). boto3 honours AWS_ENDPOINT_URL, which tests point at moto."""
    if client is None:
        import boto3

        client = boto3.client("s3")
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if key.endswith("/") or not _is_log(Path(key)):
                continue
            yield Input(
                f"s3://{bucket}/{key}",
                lambda key=key: client.get_object(Bucket=bucket, Key=key)["Body"],
            )


def inputs(spec: str, s3_client=None) -> Iterator[Input]:
    if spec.startswith("s3://"):
        return s3_inputs(spec, s3_client)
    return local_inputs(spec)


class InputError(Exception):
    """An input that does not exist or cannot be listed (a usage problem, exit 2)."""


def check_local(spec: str) -> None:
    if not spec.startswith("s3://") and not Path(spec).exists():
        raise InputError(f"{spec}: no such file or folder")
