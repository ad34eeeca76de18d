"""`--inspect-code`: download a Lambda function's or layer's package from the presigned URL
that GetFunction returns (an HTTP GET, read-only) and look for
well-known secrets in its text members, in memory. Nothing is extracted to disk, and a
package is refused before it is read past a limit: its download size, its entry count,
its total uncompressed size and its compression ratio (a zip bomb). A finding names the
kind of secret, the file in the package and the line, never the value."""

from __future__ import annotations

import io
import urllib.request
import zipfile
from dataclasses import dataclass

from scanner.secrets import scrub_text

MB = 1024 * 1024
_TEXT_SNIFF = 8192


@dataclass(frozen=True)
class CodeLimits:
    max_download: int = 50 * MB  # the package as stored (compressed)
    max_uncompressed: int = 250 * MB  # Lambda's own limit for an unzipped function and its layers
    max_ratio: float = 100.0  # uncompressed / compressed, for the package and for each member
    max_entries: int = 10_000
    max_member: int = 5 * MB  # a text member larger than this is skipped (and counted)


class CodeRefused(Exception):
    """The package was not read: over a limit, not a zip, or the download failed."""


@dataclass
class CodeScan:
    secrets: list[dict]  # Detection.to_json(): path code[<file>], kind, line, keyed fingerprint
    members: int  # text members scanned
    skipped: int  # members over max_member, not scanned


def download(url: str, limits: CodeLimits, timeout: float = 60.0) -> bytes:
    """GET a presigned URL, refusing (before reading it all) a body over the limit."""
    if not url.lower().startswith(("https://", "http://")):
        raise CodeRefused(f"no downloadable code location ({url.split('?')[0][:80]!r})")
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="GET"), timeout=timeout) as r:
            size = r.headers.get("Content-Length")
            if size is not None and size.isdigit() and int(size) > limits.max_download:
                raise CodeRefused(_over("package", int(size), limits.max_download))
            body = r.read(limits.max_download + 1)
    except CodeRefused:
        raise
    except Exception as e:  # HTTP errors, timeouts, refused connections
        raise CodeRefused(f"download failed: {type(e).__name__}: {str(e)[:200]}") from None
    if len(body) > limits.max_download:
        raise CodeRefused(_over("package", len(body), limits.max_download))
    return body


def scan_package(data: bytes, limits: CodeLimits) -> CodeScan:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in z.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise CodeRefused(f"not a readable zip: {e}") from None
    if len(infos) > limits.max_entries:
        raise CodeRefused(f"{len(infos)} entries, over the {limits.max_entries} limit")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise CodeRefused(_over("uncompressed content", total, limits.max_uncompressed))
    if total > limits.max_ratio * max(len(data), 1):
        raise CodeRefused(
            f"compression ratio {total / max(len(data), 1):.0f}:1, over {limits.max_ratio:.0f}:1"
        )
    out = CodeScan([], 0, 0)
    for info in infos:
        if info.file_size > limits.max_ratio * max(info.compress_size, 1) and info.file_size > MB:
            raise CodeRefused(f"{info.filename}: compression ratio over {limits.max_ratio:.0f}:1")
        if info.file_size > limits.max_member:
            out.skipped += 1
            continue
        text = _read_text(z, info, limits.max_member)
        if text is None:
            continue
        out.members += 1
        _, found = scrub_text(text, f"code[{info.filename}]", 1)
        out.secrets.extend(d.to_json() for d in found)
    return out


def _read_text(z: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> str | None:
    """A member's text, read through at most `cap` bytes whatever its header claims."""
    try:
        with z.open(info) as f:
            raw = f.read(cap + 1)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        return None  # encrypted or damaged member: nothing readable to scan
    if len(raw) > cap:
        raise CodeRefused(f"{info.filename}: more data than its header declares")
    if b"\0" in raw[:_TEXT_SNIFF]:
        return None  # binary
    return raw.decode("utf-8", "replace")


def _over(what: str, n: int, limit: int) -> str:
    return f"{what} is {n / MB:.1f} MB, over the {limit / MB:.1f} MB limit"
