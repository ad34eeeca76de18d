"""CloudFormation / SAM collection: read each template (YAML or JSON) safely, with lines,
and hand it to the pure normalizer. Every file that cannot be read becomes a ScanError
that names it, so it never counts as passing."""

from __future__ import annotations

from pathlib import Path

import yaml

from scanner.collect.iac.discover import Limits
from scanner.collect.iac.yaml_loader import YamlLimitError, load_one
from scanner.model.batch import Batch
from scanner.model.finding import ScanError
from scanner.normalize.cloudformation import normalize_template

DIALECT = "cloudformation"
WHOLE = "the whole file"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_template(path: Path, max_bytes: int):
    """The parsed document, or a (reason) string saying why there is none."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    if len(data) > max_bytes:
        return f"file is over the {max_bytes}-byte limit"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return f"not UTF-8 (invalid byte at offset {e.start})"
    if text.lstrip().startswith(("{", "[")):
        # JSON allows tabs between tokens, YAML does not; a raw tab can only sit between
        # tokens in valid JSON (inside strings it must be escaped), so this keeps lines.
        text = text.replace("\t", " ")
    try:
        return load_one(text, cfn=True)
    except YamlLimitError as e:
        return f"refused by a safety limit: {e}"
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return f"YAML syntax error{where}: {e.problem or e.context or 'invalid document'}"
    except yaml.YAMLError as e:
        return f"YAML error: {e}"
    except RecursionError:
        return "document nested too deeply"


def load(files: list[Path], root: Path, limits: Limits = Limits()) -> Batch:
    batch = Batch(DIALECT)
    for path in files:
        rel = _rel(path, root)
        doc = read_template(path, limits.max_file_bytes)
        batch.files += 1
        reason = None
        if isinstance(doc, str):
            reason = doc
        elif not isinstance(doc, dict):
            reason = "top level is not a mapping" if doc is not None else "empty document"
        elif "Resources" not in doc:
            reason = "no Resources section"
        elif not isinstance(doc["Resources"], dict):
            reason = "Resources is not a mapping"
        if reason is not None:
            batch.errors.append(ScanError(DIALECT, reason, rel, WHOLE))
            continue
        try:
            batch.merge(normalize_template(doc, rel))
        except RecursionError:
            batch.errors.append(ScanError(DIALECT, "template nested too deeply", rel, WHOLE))
        except Exception as e:  # a normalizer bug costs this file only, and says so
            batch.errors.append(ScanError(DIALECT, f"internal error: {type(e).__name__}: {e}", rel, WHOLE))
    return batch
