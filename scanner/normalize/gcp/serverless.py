"""Cloud Run (v2) and Cloud Functions (v1, v2) API JSON, with their IAM policies folded in
as the Terraform normalizer folds `*_iam_member` resources."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Unresolved

from .builder import Live, dig, full_name, iam_members, last, members_with

RUN = "run.googleapis.com"
FN = "cloudfunctions.googleapis.com"
_RUN_INGRESS = {
    "INGRESS_TRAFFIC_ALL": "all",
    "INGRESS_TRAFFIC_INTERNAL_ONLY": "internal",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER": "internal-and-cloud-load-balancing",
}
_RUN_INVOKER = frozenset({"roles/run.invoker"})
_FN_INVOKER = frozenset({"roles/cloudfunctions.invoker"})


def _containers(b: Live, containers: Any) -> None:
    out = []
    for i, c in enumerate(containers or []):
        literal: dict[str, Any] = {}
        secret_env: list[str] = []
        for e in c.get("env") or []:
            if e.get("valueSource"):
                secret_env.append(e.get("name"))
            else:
                literal[e.get("name")] = e.get("value", "")
        out.append(
            {
                "image": c.get("image"),
                "env": b.scrub(f"containers[{i}].env", literal),
                "secret_env": secret_env,
            }
        )
    b.put("containers", out)


def _vpc(b: Live, t: dict) -> None:
    b.put("vpc_egress", dig(t, "vpcAccess.egress"))
    b.put("vpc_connector", dig(t, "vpcAccess.connector"))


def run_service(raw) -> Live:
    d = raw.data
    t = d.get("template") or {}
    b = Live(
        "run:services.list",
        "gcp.run.service",
        last(d["name"]),
        full_name(RUN, d["name"]),
        raw.project,
        raw.region,
    )
    ingress = d.get("ingress")
    b.put("ingress", _RUN_INGRESS.get(ingress, ingress) if ingress else None, default="all")
    sa = t.get("serviceAccount") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    _containers(b, t.get("containers"))
    b.put("encryption_key", t.get("encryptionKey") or None)
    _vpc(b, t)
    b.flag("binary_authorization", True if d.get("binaryAuthorization") else None, False)
    b.put("invoker_members", members_with(raw.policy, _RUN_INVOKER, raw.policy_error))
    return b.finish(with_secrets=True)


def run_job(raw) -> Live:
    d = raw.data
    t = dig(d, "template.template") or {}
    b = Live(
        "run:jobs.list", "gcp.run.job", last(d["name"]), full_name(RUN, d["name"]), raw.project, raw.region
    )
    sa = t.get("serviceAccount") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    _containers(b, t.get("containers"))
    b.put("encryption_key", t.get("encryptionKey") or None)
    _vpc(b, t)
    b.put("iam_members", iam_members(raw.policy, raw.policy_error))
    return b.finish(with_secrets=True)


def _function(raw, generation: str, cfg: dict) -> Live:
    d = raw.data
    region = d["name"].split("/")[3] if d["name"].count("/") >= 5 else raw.region
    b = Live(
        f"cloudfunctions:{generation}:functions.list",
        "gcp.functions.function",
        last(d["name"]),
        full_name(FN, d["name"]),
        raw.project,
        region,
    )
    b.put("generation", generation)
    return b


def _common(b: Live, cfg: dict, kms: Any) -> None:
    b.put("ingress_settings", cfg.get("ingressSettings"), default="ALLOW_ALL")
    sa = cfg.get("serviceAccountEmail") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    b.put(
        "environment",
        b.scrub("environment", cfg.get("environmentVariables")) if cfg.get("environmentVariables") else None,
    )
    b.put("secret_env", [s.get("key") for s in cfg.get("secretEnvironmentVariables") or []])
    b.put("vpc_connector", cfg.get("vpcConnector") or None)
    b.put("kms_key_name", kms or None)


def function_v1(raw) -> Live:
    d = raw.data
    b = _function(raw, "v1", d)
    trig = d.get("httpsTrigger")
    b.put("https_trigger", trig is not None)
    b.put("https_security_level", (trig or {}).get("securityLevel") if trig is not None else None)
    _common(b, d, d.get("kmsKeyName"))
    b.put("invoker_members", members_with(raw.policy, _FN_INVOKER, raw.policy_error))
    return b.finish(with_secrets=True)


def function_services(raws: list) -> dict[str, Any]:
    """The Cloud Run services behind 2nd gen functions: service name -> its run.service
    record, or None when the function's region was not among those read for Cloud Run."""
    run = {r.data.get("name"): r for r in raws if r.kind == "run.service"}
    out: dict[str, Any] = {}
    for r in raws:
        svc = (r.data.get("serviceConfig") or {}).get("service") if r.kind == "functions.v2" else None
        if svc:
            out[svc] = run.get(svc)
    return out


def function_v2(raw, service=None) -> Live:
    """A 2nd gen function runs on a Cloud Run service, and who may call it is that service's
    roles/run.invoker: its members are merged in (as Terraform folding merges invoker
    bindings), and the service itself is not reported again as a Cloud Run service."""
    d = raw.data
    b = _function(raw, "v2", d)
    http = not d.get("eventTrigger")
    b.put("https_trigger", http)
    b.put("https_security_level", "SECURE_ALWAYS" if http else None)
    _common(b, d.get("serviceConfig") or {}, d.get("kmsKeyName"))
    members = members_with(raw.policy, _RUN_INVOKER | _FN_INVOKER, raw.policy_error)
    svc_name = dig(d, "serviceConfig.service")
    if svc_name and isinstance(members, list):
        if service is None:
            members.append(Unresolved(f"run.invoker of {svc_name} (its region was not read)"))
        else:
            run_members = members_with(service.policy, _RUN_INVOKER, service.policy_error)
            if isinstance(run_members, list):
                members.extend(m for m in run_members if m not in members)
            else:
                members.append(run_members)
    if svc_name:
        b.alias(full_name(RUN, svc_name), svc_name)
    b.put("invoker_members", members)
    return b.finish(with_secrets=True)
