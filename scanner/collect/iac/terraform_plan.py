"""Terraform plan JSON front-end (`terraform show -json plan.out`).

Planned values are what Terraform will create, with variables and locals already resolved.
What Terraform cannot know before apply is listed in `after_unknown`; where the
configuration shows that such a value is a reference to another resource, it becomes a
`Ref` with the same uid the HCL front-end gives, so relations match across dialects."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from scanner.model.batch import Batch
from scanner.model.finding import ScanError
from scanner.model.resource import Ref, Unresolved
from scanner.normalize.terraform.mapping import normalize
from scanner.normalize.terraform.model import TfResource, uid_for
from scanner.normalize.terraform.values import Sensitive

from .discover import Limits

DIALECT = "terraform-plan"

# A reference to a resource: [data.]type.name[index][.attr...]; var/local/module/... are not.
_REF = re.compile(
    r"^(?P<addr>(?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*(?:\[[^\]]+\])?)"
    r"(?:\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*))?"
)
_NOT_RESOURCE = ("var.", "local.", "module.", "count.", "each.", "path.", "terraform.", "self.")


# Tags merged with the provider's defaults. The AWS provider leaves `tags_all` unknown in a
# plan whenever `tags` is unset; then the provider configuration's defaults stand in.
MERGED_TAGS = frozenset({"tags_all", "terraform_labels", "effective_labels"})


class PlanError(ValueError):
    pass


def load(files: list[Path], root: Path, limits: Limits = Limits()) -> Batch:
    tf_resources: list[TfResource] = []
    errors: list[ScanError] = []
    for f in files:
        rel = _rel(f, root)
        try:
            tf_resources.extend(read_plan(f, root, limits))
        except PlanError as e:
            errors.append(ScanError(DIALECT, str(e), rel, "the whole plan"))
        except OSError as e:
            errors.append(ScanError(DIALECT, f"cannot read: {e.strerror or e}", rel, "the whole plan"))
    batch = normalize(tf_resources, DIALECT)
    batch.errors[:0] = errors
    batch.files = len(files)
    return batch


def read_plan(path: Path, root: Path, limits: Limits = Limits()) -> list[TfResource]:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise PlanError(f"plan is {size} bytes, over the {limits.max_file_bytes}-byte limit")
    try:
        plan = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as e:
        raise PlanError(f"not valid JSON: {e}") from None
    except RecursionError:
        raise PlanError("JSON nested too deeply to read") from None
    return parse_plan(plan, _rel(path, root), _root_of(path, root))


def parse_plan(plan: Any, file: str, root: str = ".") -> list[TfResource]:
    """TfResources from a decoded plan. `root` is the plan's directory relative to the scan
    root: the root module is taken to live beside its plan."""
    if (
        not isinstance(plan, dict)
        or "format_version" not in plan
        or not (
            isinstance(plan.get("planned_values"), dict) or isinstance(plan.get("resource_changes"), list)
        )
    ):
        raise PlanError("not a Terraform plan (expected `terraform show -json` output with planned_values)")
    changes = {
        rc.get("address"): rc.get("change") or {}
        for rc in plan.get("resource_changes") or []
        if isinstance(rc, dict)
    }
    configuration = plan.get("configuration") or {}
    config_root = configuration.get("root_module") or {}
    configs = _config_index(config_root, "")
    defaults = _provider_defaults(configuration.get("provider_config") or {})
    out: list[TfResource] = []
    root_module = (plan.get("planned_values") or {}).get("root_module") or {}
    for module_addr, res in _walk_modules(root_module, ""):
        if not isinstance(res, dict) or not isinstance(res.get("address"), str):
            raise PlanError("planned resource without an address")
        change = changes.get(res["address"], {})
        if "delete" in (change.get("actions") or []) and "create" not in (change.get("actions") or []):
            continue  # being destroyed: not part of the posture after apply
        tf = _resource(res, module_addr, change, configs, file, root, config_root)
        key = configs.get(_PROVIDER_KEY + _config_key(res, module_addr))
        if isinstance(tf.config.get("tags_all"), Unresolved) or tf.config.get("tags_all") is None:
            tf.default_tags = defaults.get(key) if isinstance(key, str) else None
        out.append(tf)
    return out


def _walk_modules(module: dict, addr: str):
    for r in module.get("resources") or []:
        yield addr, r
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _walk_modules(child, child.get("address") or addr)


def _config_index(module: dict, prefix: str) -> dict[str, dict]:
    """Configuration resources by module path without instance keys + local address."""
    out: dict[str, dict] = {}
    for r in module.get("resources") or []:
        if isinstance(r, dict) and "address" in r:
            out[f"{prefix}{r['address']}"] = r.get("expressions") or {}
            out[f"{_PROVIDER_KEY}{prefix}{r['address']}"] = r.get("provider_config_key")
    for name, call in (module.get("module_calls") or {}).items():
        out.update(_config_index((call or {}).get("module") or {}, f"{prefix}module.{name}."))
    return out


_INSTANCE_KEY = re.compile(r"\[[^\]]*\]")
_PROVIDER_KEY = "provider:"  # config index entries that hold a resource's provider_config_key


def _config_key(res: dict, module_addr: str) -> str:
    mode = res.get("mode", "managed")
    return (
        _INSTANCE_KEY.sub("", module_addr)
        + ("." if module_addr else "")
        + (("data." if mode == "data" else "") + f"{res.get('type', '')}.{res.get('name', '')}")
    )


def _provider_defaults(provider_config: dict) -> dict[str, Any]:
    """provider_config_key -> the tags (AWS default_tags) or labels (Google default_labels)
    it adds: a dict, or Unresolved when they are not constants."""
    out: dict[str, Any] = {}
    for key, pc in provider_config.items():
        exprs = (pc or {}).get("expressions") or {} if isinstance(pc, dict) else {}
        expr = None
        if isinstance(exprs.get("default_tags"), list) and exprs["default_tags"]:
            expr = (exprs["default_tags"][0] or {}).get("tags")
        elif isinstance(exprs.get("default_labels"), dict):
            expr = exprs["default_labels"]
        if not isinstance(expr, dict):
            continue
        value = expr.get("constant_value")
        out[key] = value if isinstance(value, dict) else Unresolved(f"default tags of provider {key}")
    return out


def _resource(
    res: dict, module_addr: str, change: dict, configs: dict, file: str, root: str, config_root: dict
) -> TfResource:
    address = res["address"]
    mode = res.get("mode", "managed")
    rtype = res.get("type", "")
    local = (
        address[len(module_addr) + 1 :] if module_addr and address.startswith(module_addr + ".") else address
    )
    if mode == "data" and local.startswith("data."):
        local = local[5:]
    name = local[len(rtype) + 1 :] if local.startswith(rtype + ".") else res.get("name", "")
    config_key = _config_key(res, module_addr)
    exprs = configs.get(config_key, {})
    values = res.get("values") or {}
    unknown = change.get("after_unknown") or {}
    sensitive = change.get("after_sensitive") or res.get("sensitive_values") or {}
    ctx = _Ctx(root, module_addr, address, config_root if isinstance(config_root, dict) else {})
    config = _merge(values, unknown, sensitive, exprs, ctx, top=True)
    return TfResource(
        mode=mode,
        type=rtype,
        name=name,
        module=module_addr,
        config=config,
        file=file,
        root=root,
        dialect=DIALECT,
    )


class _Ctx:
    def __init__(self, root: str, module_addr: str, address: str, config_root: dict):
        self.root, self.module, self.address = root, module_addr, address
        self.config_root = config_root  # configuration.root_module: module calls and outputs


def _merge(value: Any, unknown: Any, sensitive: Any, expr: Any, ctx: _Ctx, top: bool = False) -> Any:
    """Planned values with unknowns as Ref/Unresolved and sensitive strings marked."""
    if unknown is True:
        return _unknown(expr, ctx)
    if sensitive is True:
        return _sensitive(value)
    if isinstance(value, dict) or (top and value is None):
        value = value or {}
        unknown = unknown if isinstance(unknown, dict) else {}
        sensitive = sensitive if isinstance(sensitive, dict) else {}
        leaf = _leaf_expr(expr)
        out = {}
        for k in set(value) | {k for k, u in unknown.items() if _any_true(u)}:
            sub_expr = leaf if leaf is not None else (expr.get(k) if isinstance(expr, dict) else None)
            if k not in value and sub_expr is None and not (top and k in MERGED_TAGS):
                continue  # computed by the provider, never written: absent as in HCL
            out[k] = _merge(value.get(k), unknown.get(k), sensitive.get(k), sub_expr, ctx)
        return out
    if isinstance(value, list) or (value is None and isinstance(unknown, list)):
        value = value or []
        unknown = unknown if isinstance(unknown, list) else []
        sensitive = sensitive if isinstance(sensitive, list) else []
        leaf = _leaf_expr(expr)
        n = max(len(value), len(unknown))
        out_list = []
        for i in range(n):
            sub_expr = (
                leaf
                if leaf is not None
                else (
                    expr[i]
                    if isinstance(expr, list) and i < len(expr)
                    else expr[0]
                    if isinstance(expr, list) and expr
                    else None
                )
            )
            out_list.append(
                _merge(
                    value[i] if i < len(value) else None,
                    unknown[i] if i < len(unknown) else None,
                    sensitive[i] if i < len(sensitive) else None,
                    sub_expr,
                    ctx,
                )
            )
        return out_list
    return value


def _any_true(u: Any) -> bool:
    if u is True:
        return True
    if isinstance(u, dict):
        return any(_any_true(v) for v in u.values())
    if isinstance(u, list):
        return any(_any_true(v) for v in u)
    return False


def _leaf_expr(expr: Any) -> dict | None:
    """A configuration expression (references / constant_value) rather than a block."""
    if isinstance(expr, dict) and ("references" in expr or "constant_value" in expr):
        return expr
    return None


def _sensitive(value: Any) -> Any:
    if isinstance(value, str):
        return Sensitive(value)
    if isinstance(value, dict):
        return {k: _sensitive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sensitive(v) for v in value]
    return value


def _unknown(expr: Any, ctx: _Ctx) -> Any:
    refs = (_leaf_expr(expr) or {}).get("references") or []
    targets = _targets(refs, ctx.module, ctx.config_root, 0)
    if len(targets) == 1:
        full, attr = next(iter(targets.values()))
        return Ref(uid_for(ctx.root, full), attr)
    if refs:
        return Unresolved(f"known after apply ({', '.join(str(r) for r in refs[:3])})")
    return Unresolved(f"known after apply ({ctx.address})")


def _targets(refs: list, module: str, config_root: dict, depth: int) -> dict[str, tuple[str, str]]:
    """The resources that `refs` (written in `module`) name, as {address without instance
    keys: (full address, attribute)}. A module output (`module.iam.role_arn`) counts as the
    resource its own expression names, so it gets the uid the HCL front-end gives it."""
    targets: dict[str, tuple[str, str]] = {}
    for ref in refs:
        if not isinstance(ref, str):
            continue
        found: tuple[str, str] | None = None
        if ref.startswith("module."):
            found = _module_output(ref, module, config_root, depth)
        elif not ref.startswith(_NOT_RESOURCE) and (m := _REF.match(ref)):
            addr = m.group("addr")
            found = (f"{module}.{addr}" if module else addr, m.group("attr") or "")
        if found is None:
            continue
        base = _INSTANCE_KEY.sub("", found[0])
        # references come most specific first: keep the first (indexed, with attribute) per resource
        if base not in targets or (not targets[base][1] and found[1]):
            targets[base] = found
    return targets


_MODULE_OUTPUT = re.compile(r"^module\.([A-Za-z_][A-Za-z0-9_-]*)(\[[^\]]+\])?\.([A-Za-z_][A-Za-z0-9_-]*)$")


def _module_output(ref: str, module: str, config_root: dict, depth: int) -> tuple[str, str] | None:
    """`module.NAME[KEY].OUTPUT` written in `module`: the one resource that output's
    expression names, followed through nested module outputs; None when it names none or
    several, or when the call has count/for_each and the reference gives no key."""
    m = _MODULE_OUTPUT.match(ref)
    if not m or depth > 20:
        return None
    name, key, output = m.groups()
    call = (_module_config(config_root, module).get("module_calls") or {}).get(name)
    if not isinstance(call, dict) or (
        not key and ("count_expression" in call or "for_each_expression" in call)
    ):
        return None
    out = ((call.get("module") or {}).get("outputs") or {}).get(output)
    refs = ((out or {}).get("expression") or {}).get("references") if isinstance(out, dict) else None
    if not isinstance(refs, list):
        return None
    child = f"{module}.module.{name}{key or ''}" if module else f"module.{name}{key or ''}"
    targets = _targets(refs, child, config_root, depth + 1)
    return next(iter(targets.values())) if len(targets) == 1 else None


def _module_config(config_root: dict, module: str) -> dict:
    """The configuration of the module at address `module` (instance keys ignored)."""
    config = config_root
    for name in re.findall(r"module\.([^.]+)", _INSTANCE_KEY.sub("", module)):
        call = (config.get("module_calls") or {}).get(name) if isinstance(config, dict) else None
        config = (call or {}).get("module") if isinstance(call, dict) else None
        if not isinstance(config, dict):
            return {}
    return config if isinstance(config, dict) else {}


def _rel(p: Path, root: Path) -> str:
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def _root_of(p: Path, root: Path) -> str:
    try:
        d = p.resolve().parent.relative_to(root.resolve()).as_posix()
    except ValueError:
        return "."
    return d or "."
