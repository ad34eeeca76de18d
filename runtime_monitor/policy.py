"""The declared runtime policy (`kind: RuntimePolicy`): GPU pools and their isolation,
tenants and their principals, assets and who may use them, platform minimums and audit
sources. `load_policy` validates it against the published JSON Schema and then checks what
a schema cannot (names that refer to each other, contradictions), and reports every problem
with its file and line at once, so a platform team fixes the file in one go."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

API_VERSION = "mlposture.dev/v1alpha1"
KIND = "RuntimePolicy"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "runtime-policy.schema.json"
TEMPLATE_PATH = Path(__file__).parent / "policy_template.yaml"
MAX_POLICY_BYTES = 4 * 1024 * 1024

ISOLATIONS = ("exclusive", "mig", "mps", "time-slicing", "vgpu")
SHARINGS = ("exclusive", "same-tenant", "any")


# -- errors ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyIssue:
    file: str
    line: int | None
    path: str  # JSON path in the document, e.g. pools[0].mig.layout[1]; "" for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path + ': ' if self.path else ''}{self.message}"


class PolicyError(ValueError):
    """Every problem in a policy file, each with its line."""

    def __init__(self, issues: list[PolicyIssue]):
        self.issues = issues
        n = len(issues)
        super().__init__(
            f"{n} error{'s' if n != 1 else ''} in the runtime policy:\n" + "\n".join(map(str, issues))
        )


# -- the model ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Principals:
    k8s: tuple[str, ...] = ()
    aws: tuple[str, ...] = ()
    gcp: tuple[str, ...] = ()

    def all(self) -> tuple[str, ...]:
        return self.k8s + self.aws + self.gcp

    def merged(self, other: Principals) -> Principals:
        def u(a, b):
            return tuple(dict.fromkeys(a + b))

        return Principals(u(self.k8s, other.k8s), u(self.aws, other.aws), u(self.gcp, other.gcp))


@dataclass(frozen=True, slots=True)
class PolicyException:
    """A declared exception: pods in `namespace` (matching `pod`) may fail `checks`."""

    namespace: str
    checks: tuple[str, ...]
    reason: str
    pod: str = "*"
    expires: str | None = None
    path: str = ""

    def covers(self, check_id: str, namespace: str, pod: str, today: str) -> bool:
        if self.expires and self.expires < today:
            return False
        return check_id in self.checks and namespace == self.namespace and fnmatch.fnmatchcase(pod, self.pod)


@dataclass(frozen=True, slots=True)
class Defaults:
    not_supported: str = "warn"  # fail | warn | ignore
    unattributed_process: str = "fail"  # fail | warn
    privileged_namespaces: tuple[str, ...] = ()
    exceptions: tuple[PolicyException, ...] = ()


@dataclass(frozen=True, slots=True)
class Platform:
    container_toolkit_min: str | None = None
    gpu_operator_min: str | None = None
    device_plugin_min: str | None = None
    driver_min_by_branch: dict[str, str] = field(default_factory=dict)
    driver_branches_allowed: tuple[str, ...] = ()
    device_list_strategy: tuple[str, ...] = ()
    accept_envvar_when_unprivileged: bool | None = None
    require_ecc: bool = False
    require_accounting_mode: bool = False
    require_persistence_mode: bool = False


def gi_profile(profile: str | None) -> str | None:
    """'1c.3g.40gb' (a compute instance of a 3g.40gb GPU instance) -> '3g.40gb'."""
    if not profile:
        return None
    head, _, rest = profile.partition(".")
    return rest if head.endswith("c") and rest else profile


@dataclass(frozen=True, slots=True)
class GpuInstanceSpec:
    profile: str  # the GPU instance profile, e.g. 3g.40gb
    compute_instances: tuple[str, ...]  # sorted MIG device profiles in it, e.g. (1c.3g.40gb, 2c.3g.40gb)


def _gpu_instance(entry: str | dict) -> GpuInstanceSpec:
    if isinstance(entry, str):  # one compute instance: the whole GI ("3g.40gb") or a slice ("1c.3g.40gb")
        return GpuInstanceSpec(gi_profile(entry) or entry, (entry,))
    return GpuInstanceSpec(entry["gpu_instance"], tuple(sorted(entry["compute_instances"])))


@dataclass(frozen=True, slots=True)
class MigSpec:
    strategy: str  # single | mixed
    layout: tuple[GpuInstanceSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class Pool:
    name: str
    isolation: str
    node_selector: dict[str, str] = field(default_factory=dict)
    gpus: tuple[str, ...] = ()
    mig: MigSpec | None = None
    time_slicing_replicas: int | None = None
    max_tenants_per_gpu_instance: int | None = None
    compute_mode: str | None = None
    confidential_computing: str = "optional"  # required | optional | off
    virtualization: str | None = None
    path: str = ""

    def selects(self, node_labels: dict[str, str], gpu_uuid: str | None = None) -> bool:
        if self.gpus and gpu_uuid is not None and gpu_uuid not in self.gpus:
            return False
        if not self.node_selector and not self.gpus:
            return False  # a pool that selects nothing must not swallow every GPU
        return all(node_labels.get(k) == v for k, v in self.node_selector.items())


@dataclass(frozen=True, slots=True)
class Tenant:
    name: str
    namespaces: tuple[str, ...]
    pools: tuple[str, ...] = ()
    sharing: str = "same-tenant"  # exclusive | same-tenant | any
    max_gpus: int | None = None
    confidential_computing: str = "optional"
    principals: Principals = Principals()
    operators: tuple[str, ...] = ()
    path: str = ""


@dataclass(frozen=True, slots=True)
class Asset:
    kind: str  # model | dataset | endpoint | feature-store | secret
    id: str
    owner: str | None = None
    locations: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    allowed_tenants: tuple[str, ...] = ()
    allowed_principals: Principals = Principals()
    allowed_actions: tuple[str, ...] = ()
    vpc_endpoints: tuple[str, ...] = ()  # reads must come through one of these ("*": any)
    allowed_networks: tuple[str, ...] = ()  # CIDRs reads may come from
    path: str = ""


@dataclass(frozen=True, slots=True)
class AuditSource:
    name: str  # cloudtrail | gcp | k8s
    paths: tuple[str, ...] = ()
    require_data_events: bool = False
    require_data_access: tuple[str, ...] = ()
    min_level: str | None = None
    cluster: str | None = None  # k8s: the cluster's name in uids, as `scan k8s` names it


@dataclass(frozen=True, slots=True)
class Audit:
    sources: dict[str, AuditSource] = field(default_factory=dict)
    learning_window_days: int = 14
    unused_grant_days: int = 90
    baseline_store: str | None = None
    watched_events: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuntimePolicy:
    file: str
    name: str
    defaults: Defaults
    platform: Platform
    pools: tuple[Pool, ...]
    tenants: tuple[Tenant, ...]
    assets: tuple[Asset, ...]
    audit: Audit
    lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _by_namespace: dict[str, Tenant] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_namespace", {ns: t for t in self.tenants for ns in t.namespaces})

    def line_of(self, path: str) -> int | None:
        """The line of a JSON path in the file, or of its nearest declared parent."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None

    def pool(self, name: str) -> Pool | None:
        return next((p for p in self.pools if p.name == name), None)

    def tenant(self, name: str) -> Tenant | None:
        return next((t for t in self.tenants if t.name == name), None)

    def tenant_for_namespace(self, namespace: str) -> Tenant | None:
        return self._by_namespace.get(namespace)

    def pools_for_node(self, node_labels: dict[str, str], gpu_uuid: str | None = None) -> list[Pool]:
        return [p for p in self.pools if p.selects(node_labels, gpu_uuid)]

    def asset_principals(self, asset: Asset) -> Principals:
        """Who may use an asset: its explicit principals plus those of its allowed tenants
        (and of its owner, who always may)."""
        out = asset.allowed_principals
        names = ([asset.owner] if asset.owner else []) + list(asset.allowed_tenants)
        for name in dict.fromkeys(names):
            t = self.tenant(name)
            if t is not None:
                out = out.merged(t.principals)
        return out

    def is_exception(self, check_id: str, namespace: str, pod: str, today: str) -> PolicyException | None:
        return next((e for e in self.defaults.exceptions if e.covers(check_id, namespace, pod, today)), None)


# -- loading -----------------------------------------------------------------------------


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def json_path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _line_map(tree: Any) -> dict[str, int]:
    """JSON path -> line, from the bounded YAML loader's LineDict/LineList."""
    lines: dict[str, int] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            key_lines = getattr(node, "key_lines", {})
            for k, v in node.items():
                sub = f"{path}.{k}" if path else str(k)
                line = key_lines.get(k)
                if line:
                    lines[sub] = line
                walk(v, sub)
        elif isinstance(node, list):
            base = getattr(node, "start_line", None)
            for i, v in enumerate(node):
                sub = f"{path}[{i}]"
                line = getattr(v, "start_line", None) or base
                if line:
                    lines[sub] = line
                walk(v, sub)

    walk(tree, "")
    return lines


def _schema_issues(doc: Any, file: str, lines: dict[str, int]) -> list[PolicyIssue]:
    from jsonschema import Draft202012Validator

    def line(path: str) -> int | None:
        while path:
            if path in lines:
                return lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return 1

    issues = []
    validator = Draft202012Validator(schema())
    for err in validator.iter_errors(doc):
        path = json_path(err.absolute_path)
        msg = err.message
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            # point at the unknown key itself, not at the mapping that holds it
            allowed = set(err.schema.get("properties", {}))
            for k in err.instance:
                if k not in allowed:
                    sub = f"{path}.{k}" if path else str(k)
                    issues.append(PolicyIssue(file, line(sub), sub, f"unknown field {k!r}"))
            continue
        if err.validator == "enum":
            msg = f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
        elif err.validator == "pattern":
            msg = f"{err.instance!r} does not have the expected form ({err.validator_value})"
        issues.append(PolicyIssue(file, line(path), path, msg))
    return issues


def _semantic_issues(doc: dict, file: str, lines: dict[str, int]) -> list[PolicyIssue]:
    """What a schema cannot say: names refer to declared things, nothing contradicts."""
    issues: list[PolicyIssue] = []

    def add(path: str, msg: str) -> None:
        issues.append(PolicyIssue(file, lines.get(path) or 1, path, msg))

    pools = doc.get("pools") or []
    tenants = doc.get("tenants") or []
    assets = doc.get("assets") or []
    pool_names: dict[str, int] = {}
    for i, p in enumerate(pools):
        name = p.get("name")
        if name in pool_names:
            add(f"pools[{i}].name", f"pool {name!r} is declared twice (first at pools[{pool_names[name]}])")
        pool_names.setdefault(name, i)
        iso = p.get("isolation")
        if iso == "mig" and "mig" not in p:
            add(f"pools[{i}]", "isolation is mig but the pool declares no mig: {strategy, layout}")
        if iso != "mig" and "mig" in p:
            add(f"pools[{i}].mig", f"a mig section on a pool whose isolation is {iso}")
        for j, entry in enumerate((p.get("mig") or {}).get("layout") or []):
            for k, ci in enumerate(entry.get("compute_instances", []) if isinstance(entry, dict) else []):
                if gi_profile(ci) != entry["gpu_instance"]:
                    add(
                        f"pools[{i}].mig.layout[{j}].compute_instances[{k}]",
                        f"{ci!r} is not a compute instance of GPU instance {entry['gpu_instance']!r}",
                    )
        if iso != "time-slicing" and "time_slicing" in p:
            add(f"pools[{i}].time_slicing", f"a time_slicing section on a pool whose isolation is {iso}")
        if iso == "exclusive" and (p.get("max_tenants_per_gpu_instance") or 1) > 1:
            add(f"pools[{i}].max_tenants_per_gpu_instance", "an exclusive pool holds one tenant per GPU")
        if iso in ("time-slicing", "mps", "vgpu") and p.get("confidential_computing") == "required":
            add(
                f"pools[{i}].confidential_computing",
                f"confidential computing needs whole GPUs or MIG, not {iso}",
            )
    tenant_names: dict[str, int] = {}
    ns_owner: dict[str, str] = {}
    for i, t in enumerate(tenants):
        name = t.get("name")
        if name in tenant_names:
            add(
                f"tenants[{i}].name",
                f"tenant {name!r} is declared twice (first at tenants[{tenant_names[name]}])",
            )
        tenant_names.setdefault(name, i)
        for j, ns in enumerate(t.get("namespaces") or []):
            if ns in ns_owner and ns_owner[ns] != name:
                add(
                    f"tenants[{i}].namespaces[{j}]",
                    f"namespace {ns!r} already belongs to tenant {ns_owner[ns]!r}",
                )
            ns_owner.setdefault(ns, name)
        for j, pool in enumerate(t.get("pools") or []):
            if pool not in pool_names:
                add(f"tenants[{i}].pools[{j}]", f"no pool named {pool!r} is declared")
        if t.get("confidential_computing") == "required":
            for j, pool in enumerate(t.get("pools") or []):
                pd = pools[pool_names[pool]] if pool in pool_names else None
                if pd is not None and pd.get("confidential_computing") != "required":
                    add(
                        f"tenants[{i}].pools[{j}]",
                        f"tenant requires confidential computing but pool {pool!r} does not require it",
                    )
    asset_ids: dict[tuple, int] = {}
    for i, a in enumerate(assets):
        key = (a.get("kind"), a.get("id"))
        if key in asset_ids:
            add(
                f"assets[{i}].id",
                f"{key[0]} {key[1]!r} is declared twice (first at assets[{asset_ids[key]}])",
            )
        asset_ids.setdefault(key, i)
        if a.get("owner") and tenants and a["owner"] not in tenant_names:
            add(f"assets[{i}].owner", f"no tenant named {a['owner']!r} is declared")
        for j, tn in enumerate((a.get("allowed_principals") or {}).get("tenants") or []):
            if tn not in tenant_names:
                add(f"assets[{i}].allowed_principals.tenants[{j}]", f"no tenant named {tn!r} is declared")
    branches = (doc.get("platform") or {}).get("driver_min_by_branch") or {}
    for branch, v in branches.items():
        if isinstance(v, str) and not v.startswith(f"{branch}."):
            add(f"platform.driver_min_by_branch.{branch}", f"minimum {v!r} is not on branch {branch}")
    return issues


def _t(v: Any) -> tuple:
    return tuple(v or ())


def _principals(d: dict | None) -> Principals:
    d = d or {}
    return Principals(_t(d.get("k8s")), _t(d.get("aws")), _t(d.get("gcp")))


def _build(doc: dict, file: str, lines: dict[str, int]) -> RuntimePolicy:
    d = doc.get("defaults") or {}
    defaults = Defaults(
        not_supported=d.get("not_supported", "warn"),
        unattributed_process=d.get("unattributed_process", "fail"),
        privileged_namespaces=_t(d.get("privileged_namespaces")),
        exceptions=tuple(
            PolicyException(
                namespace=e["namespace"],
                checks=_t(e["checks"]),
                reason=e["reason"],
                pod=e.get("pod", "*"),
                expires=e.get("expires"),
                path=f"defaults.exceptions[{i}]",
            )
            for i, e in enumerate(d.get("exceptions") or [])
        ),
    )
    pl = doc.get("platform") or {}
    req = pl.get("require") or {}
    platform = Platform(
        container_toolkit_min=pl.get("container_toolkit_min"),
        gpu_operator_min=pl.get("gpu_operator_min"),
        device_plugin_min=pl.get("device_plugin_min"),
        driver_min_by_branch=dict(pl.get("driver_min_by_branch") or {}),
        driver_branches_allowed=_t(pl.get("driver_branches_allowed")),
        device_list_strategy=_t(pl.get("device_list_strategy")),
        accept_envvar_when_unprivileged=pl.get("accept_envvar_when_unprivileged"),
        require_ecc=bool(req.get("ecc")),
        require_accounting_mode=bool(req.get("accounting_mode")),
        require_persistence_mode=bool(req.get("persistence_mode")),
    )
    pools = tuple(
        Pool(
            name=p["name"],
            isolation=p["isolation"],
            node_selector=dict(p.get("node_selector") or {}),
            gpus=_t(p.get("gpus")),
            mig=MigSpec(p["mig"]["strategy"], tuple(_gpu_instance(e) for e in p["mig"].get("layout") or ()))
            if p.get("mig")
            else None,
            time_slicing_replicas=(p.get("time_slicing") or {}).get("replicas"),
            max_tenants_per_gpu_instance=p.get("max_tenants_per_gpu_instance"),
            compute_mode=p.get("compute_mode"),
            confidential_computing=p.get("confidential_computing", "optional"),
            virtualization=p.get("virtualization"),
            path=f"pools[{i}]",
        )
        for i, p in enumerate(doc.get("pools") or [])
    )
    tenants = tuple(
        Tenant(
            name=t["name"],
            namespaces=_t(t["namespaces"]),
            pools=_t(t.get("pools")),
            sharing=t.get("sharing", "same-tenant"),
            max_gpus=t.get("max_gpus"),
            confidential_computing=t.get("confidential_computing", "optional"),
            principals=_principals(t.get("principals")),
            operators=_t(t.get("operators")),
            path=f"tenants[{i}]",
        )
        for i, t in enumerate(doc.get("tenants") or [])
    )
    assets = tuple(
        Asset(
            kind=a["kind"],
            id=a["id"],
            owner=a.get("owner"),
            locations=_t(a.get("locations")),
            endpoints=_t(a.get("endpoints")),
            allowed_tenants=_t((a.get("allowed_principals") or {}).get("tenants")),
            allowed_principals=_principals(a.get("allowed_principals")),
            allowed_actions=_t(a.get("allowed_actions")),
            vpc_endpoints=_t(a.get("vpc_endpoints")),
            allowed_networks=_t(a.get("allowed_networks")),
            path=f"assets[{i}]",
        )
        for i, a in enumerate(doc.get("assets") or [])
    )
    au = doc.get("audit") or {}
    sources = {}
    for name, s in (au.get("sources") or {}).items():
        paths = ([s["path"]] if s.get("path") else []) + list(s.get("paths") or [])
        sources[name] = AuditSource(
            name=name,
            paths=tuple(paths),
            require_data_events=bool(s.get("require_data_events")),
            require_data_access=_t(s.get("require_data_access")),
            min_level=s.get("min_level"),
            cluster=s.get("cluster"),
        )
    audit = Audit(
        sources=sources,
        learning_window_days=au.get("learning_window_days", 14),
        unused_grant_days=au.get("unused_grant_days", 90),
        baseline_store=au.get("baseline_store"),
        watched_events=_t(au.get("watched_events")),
    )
    name = (doc.get("metadata") or {}).get("name") or Path(file).stem
    return RuntimePolicy(file, name, defaults, platform, pools, tenants, assets, audit, lines)


def parse_policy(text: str, file: str = "<policy>") -> RuntimePolicy:
    """A policy from YAML (or JSON) text; PolicyError lists every problem with its line."""
    import yaml

    from scanner.collect.iac.yaml_loader import YamlDuplicateKeyError, YamlLimitError, YamlLimits, load_all

    try:
        docs = load_all(
            text,
            limits=YamlLimits(max_nodes=200_000, max_depth=64, max_aliases=1_000),
            reject_duplicate_keys=True,  # last-wins would silently drop the first declaration
        )
    except YamlDuplicateKeyError as e:
        raise PolicyError(
            [
                PolicyIssue(file, second, "", f"duplicate key {key!r} (first on line {first})")
                for key, first, second in e.duplicates
            ]
        ) from e
    except YamlLimitError as e:
        raise PolicyError([PolicyIssue(file, None, "", f"refused: {e}")]) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(e, "problem", None) or str(e)
        raise PolicyError([PolicyIssue(file, line, "", f"not valid YAML: {problem}")]) from e
    docs = [d for d in docs if d is not None]
    if not docs:
        raise PolicyError([PolicyIssue(file, 1, "", "the file holds no policy document")])
    if len(docs) > 1:
        raise PolicyError(
            [PolicyIssue(file, getattr(docs[1], "start_line", None), "", "one policy per file")]
        )
    doc = docs[0]
    if not isinstance(doc, dict):
        raise PolicyError(
            [
                PolicyIssue(
                    file, getattr(doc, "start_line", 1), "", "a policy is a mapping (apiVersion, kind, ...)"
                )
            ]
        )
    lines = _line_map(doc)
    issues = _schema_issues(doc, file, lines)
    if not issues:  # cross-references are only meaningful on a well-formed document
        issues = _semantic_issues(doc, file, lines)
    if issues:
        issues.sort(key=lambda i: (i.line or 0, i.path))
        raise PolicyError(issues)
    return _build(doc, file, lines)


def load_policy(path: str | Path) -> RuntimePolicy:
    file = str(path)
    try:
        p = Path(path)
        if p.stat().st_size > MAX_POLICY_BYTES:
            raise PolicyError([PolicyIssue(file, None, "", f"larger than {MAX_POLICY_BYTES} bytes")])
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PolicyError([PolicyIssue(file, None, "", "not UTF-8 text")]) from e
    except OSError as e:
        raise PolicyError([PolicyIssue(file, None, "", f"cannot read: {e.strerror or e}")]) from e
    return parse_policy(text, file)


def version_tuple(v: str) -> tuple[int, ...]:
    """'1.17.8' -> (1, 17, 8); non-numeric parts stop the tuple ('570.86.15-grid' -> (570, 86))."""
    out = []
    for part in v.strip().lstrip("v").split("."):
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        out.append(int(digits))
        if len(digits) != len(part):
            break
    return tuple(out)
