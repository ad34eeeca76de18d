"""Terraform HCL loader: `.tf`, `.tf.json` and `.tfvars` files in, a `Batch` out.

Each directory of `.tf` files is a root module unless another scanned directory calls it
as a local module; a called directory is evaluated only through its calls, with the
caller's inputs. Resources become `TfResource` records (scanner.normalize.terraform.model),
which the Terraform mapping turns into canonical resources."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.model.batch import Batch
from scanner.model.finding import ScanError
from scanner.normalize.terraform.model import TfResource

from .discover import Limits
from .hcl.body import ParsedFile
from .hcl.modules import Host, ModuleDef, ModuleInstance, constant
from .hcl.parser import HclSyntaxError, parse_hcl, parse_json

SOURCE = "terraform"
MAX_READ_FILE_BYTES = 1024 * 1024  # file() and friends: enough for any policy or script


def _is_tf(p: Path) -> bool:
    return p.name.endswith((".tf", ".tf.json"))


def _is_auto_tfvars(p: Path) -> bool:
    n = p.name
    return n in ("terraform.tfvars", "terraform.tfvars.json") or n.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


class _Loader(Host):
    def __init__(self, root: Path, limits: Limits):
        self.root = root.resolve()
        self.limits = limits
        self.errors: list[ScanError] = []
        self.files_read = 0
        self.given: dict[Path, list[Path]] = {}  # directory -> the .tf files given for it
        self.reached: set[Path] = set()
        self._defs: dict[Path, ModuleDef | None] = {}
        self._texts: dict[Path, str | None] = {}

    def rel(self, p: Path) -> str:
        try:
            return p.resolve().relative_to(self.root).as_posix() or "."
        except ValueError:
            return p.as_posix()

    def error(self, reason: str, file: str | None, unscanned: str) -> None:
        self.errors.append(ScanError(SOURCE, reason, file, unscanned))

    # ------------------------------------------------------------------ files
    def _read(self, p: Path, unscanned: str) -> bytes | None:
        try:
            if p.stat().st_size > self.limits.max_file_bytes:
                self.error(
                    f"file is over the {self.limits.max_file_bytes}-byte limit", self.rel(p), unscanned
                )
                return None
            data = p.read_bytes()
        except OSError as e:
            self.error(f"cannot read: {e.strerror or e}", self.rel(p), unscanned)
            return None
        self.files_read += 1
        return data

    def parse(self, p: Path) -> ParsedFile | None:
        unscanned = "every resource in this file"
        data = self._read(p, unscanned)
        if data is None:
            return None
        rel = self.rel(p)
        try:
            return parse_json(data, rel) if p.name.endswith(".json") else parse_hcl(data, rel)
        except UnicodeDecodeError as e:
            self.error(f"not UTF-8 text (byte {e.start})", rel, unscanned)
        except HclSyntaxError as e:
            self.error(str(e), rel, unscanned)
        except RecursionError:
            self.error("nested too deeply to parse", rel, unscanned)
        return None

    def module_def(self, directory: Path) -> ModuleDef | None:
        directory = directory.resolve()
        self.reached.add(directory)
        if directory in self._defs:
            return self._defs[directory]
        files = self.given.get(directory)
        if files is None:
            files = self._files_on_disk(directory)
        mdef = None
        if files is not None:
            parsed = [pf for pf in (self.parse(f) for f in files) if pf is not None]
            mdef = ModuleDef.build(directory, parsed)
        self._defs[directory] = mdef
        return mdef

    def _files_on_disk(self, directory: Path) -> list[Path] | None:
        """A module directory that discovery did not hand us (say, only one file was given)."""
        if not directory.is_dir() or not directory.is_relative_to(self.root):
            return None
        try:
            return sorted(
                p
                for p in directory.iterdir()
                if _is_tf(p) and p.is_file() and p.resolve().is_relative_to(self.root)
            )
        except OSError:
            return None

    def read_text(self, path: Path) -> str | None:
        try:
            p = path.resolve()
        except (OSError, RuntimeError):
            return None
        if p in self._texts:
            return self._texts[p]
        text = None
        if p.is_relative_to(self.root) and p.is_file():
            try:
                if p.stat().st_size <= min(MAX_READ_FILE_BYTES, self.limits.max_file_bytes):
                    text = p.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                text = None
        self._texts[p] = text
        return text

    # ------------------------------------------------------------------ variables
    def tfvars(self, files: list[Path]) -> dict:
        """Variable values from terraform.tfvars then *.auto.tfvars in lexical order (later wins)."""
        ordered = sorted(files, key=lambda p: (not p.name.startswith("terraform.tfvars"), p.name))
        values: dict = {}
        for p in ordered:
            data = self._read(p, "variable values from this file")
            if data is None:
                continue
            rel = self.rel(p)
            try:
                pf = parse_json(data, rel) if p.name.endswith(".json") else parse_hcl(data, rel)
            except (UnicodeDecodeError, HclSyntaxError) as e:
                self.error(f"cannot parse variable values: {e}", rel, "variable values from this file")
                continue
            if p.name.endswith(".json"):
                # JSON tfvars are a flat object of values; the block heuristics do not apply.
                doc = json.loads(data)
                values.update(doc if isinstance(doc, dict) else {})
            else:
                values.update({k: constant(a.expr) for k, a in pf.body.attrs.items()})
        return values


def load_tf_resources(
    files: list[Path], root: Path, limits: Limits = Limits()
) -> tuple[list[TfResource], list[ScanError], int]:
    """The front-end alone: TfResources, the errors met, and the number of files read."""
    loader = _Loader(root, limits)
    tfvars_files: dict[Path, list[Path]] = {}
    for f in files:
        d = f.resolve().parent
        if _is_tf(f):
            loader.given.setdefault(d, []).append(f)
        elif _is_auto_tfvars(f):
            tfvars_files.setdefault(d, []).append(f)
    for d in loader.given:
        loader.given[d].sort()
    dirs = sorted(loader.given)
    defs = {d: loader.module_def(d) for d in dirs}
    called = {
        target for d, m in defs.items() if m is not None for _, target in m.local_sources() if target != d
    }
    loader.reached.clear()
    out: list[TfResource] = []
    # Directories nobody calls are roots; one only reachable through a cycle of calls, or
    # from a directory we could not read, is taken as a root too so it is never lost.
    pending = [d for d in dirs if d not in called] + [d for d in dirs if d in called]
    for d in pending:
        if d in loader.reached or defs[d] is None:
            continue
        loader.reached.add(d)
        rel = loader.rel(d)
        inst = ModuleInstance(loader, defs[d], "", rel, d, tfvars=loader.tfvars(tfvars_files.get(d, [])))
        inst.expand(out)
        if d not in called:  # nobody else needs this root's syntax trees: free them now
            defs[d] = loader._defs[d] = None
    seen = set()
    errors = []
    for e in loader.errors:
        key = (e.reason, e.file, e.unscanned)
        if key not in seen:
            seen.add(key)
            errors.append(e)
    return out, errors, loader.files_read


def load(files: list[Path], root: Path, limits: Limits = Limits()) -> Batch:
    from scanner.normalize.terraform.mapping import normalize

    resources, errors, read = load_tf_resources(files, root, limits)
    batch = normalize(resources)
    batch.errors.extend(errors)
    batch.files = read
    return batch
