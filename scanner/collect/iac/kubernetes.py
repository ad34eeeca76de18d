"""Kubernetes manifests (YAML or JSON, many documents a file, `kind: List` included).

A file that cannot be read or parsed costs that file; a document that is malformed costs
that document only. Either way the loss is a ScanError naming the file and what was left
unscanned, never a silent pass.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from scanner.model.batch import Batch
from scanner.model.finding import ScanError
from scanner.model.resource import SourceRef
from scanner.normalize.k8s import NormalizeError, fold_quotas, normalize_object

from .discover import Limits
from .yaml_loader import YamlLimitError, load_all

DIALECT = "kubernetes"
WHOLE_FILE = "every object in this file"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _read(path: Path, limits: Limits) -> str:
    """The file's text; raises ValueError with a reason when it cannot be used."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as e:
        raise ValueError(f"cannot read: {e.strerror or e}") from e
    if len(data) > limits.max_file_bytes:
        raise ValueError(f"file is over the {limits.max_file_bytes}-byte limit")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 text (invalid byte at offset {e.start})") from e


def _parse_reason(e: yaml.YAMLError, text: str) -> str:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    reason = f"YAML syntax error{where}: {problem}"
    if "{{" in text:
        reason += " (the file holds {{ }} template expressions: render it with `helm template` first)"
    return reason


def load_file(path: Path, root: Path, limits: Limits, batch: Batch) -> None:
    rel = _rel(path, root)

    def error(reason: str, unscanned: str = WHOLE_FILE) -> None:
        batch.errors.append(ScanError(DIALECT, reason, rel, unscanned))

    try:
        text = _read(path, limits)
        docs = load_all(text)
    except ValueError as e:  # includes YamlLimitError
        reason = str(e) if not isinstance(e, YamlLimitError) else f"refused by a safety limit: {e}"
        error(reason)
        return
    except yaml.YAMLError as e:
        error(_parse_reason(e, text))
        return
    except RecursionError:
        error("document nested too deeply to parse")
        return

    source = SourceRef("iac", rel, dialect=DIALECT)
    for n, doc in enumerate(docs, start=1):
        if doc is None:
            continue  # an empty document (a trailing ---) is fine
        label = f"document {n}"
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("kind"), str)
            and doc["kind"].endswith("List")
            and isinstance(doc.get("items"), list)
        ):
            for m, item in enumerate(doc["items"], start=1):
                _normalize(item, f"{label} item {m}", source, batch, error)
        else:
            _normalize(doc, label, source, batch, error)


def _describe(obj) -> str:
    if isinstance(obj, dict):
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        return f" ({obj.get('kind', '?')} {meta.get('name', '?')})"
    return ""


def _normalize(obj, label: str, source: SourceRef, batch: Batch, error) -> None:
    try:
        out = normalize_object(obj, source)
    except NormalizeError as e:
        error(f"{label}{_describe(obj)}: {e}", f"{label} of this file")
        return
    except Exception as e:  # a normalizer bug costs one object, not the scan
        error(f"{label}{_describe(obj)}: internal error: {type(e).__name__}: {e}", f"{label} of this file")
        return
    if not out.resources and isinstance(obj, dict):
        batch.count_unmodelled(f"{obj.get('apiVersion')}/{obj.get('kind')}")
    batch.resources.extend(out.resources)
    batch.relations.extend(out.relations)


def load(files: list[Path], root: Path, limits: Limits) -> Batch:
    batch = Batch(DIALECT)
    for path in files:
        batch.files += 1
        load_file(path, root, limits, batch)
    fold_quotas(batch.resources)  # a quota and its Namespace may sit in different files
    return batch
