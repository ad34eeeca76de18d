"""Vertex AI and Workbench API JSON -> canonical resources."""

from __future__ import annotations

from typing import Any

from .builder import Live, dig, full_name, last

AI = "aiplatform.googleapis.com"
NB = "notebooks.googleapis.com"


def _new(raw, rtype: str, api: str, service: str = AI, name: str | None = None) -> Live:
    d = raw.data
    return Live(
        api,
        rtype,
        name or d.get("displayName") or last(d["name"]),
        full_name(service, d["name"]),
        raw.project,
        raw.region,
    )


def _cmek(b: Live, d: dict, path: str = "encryption_key") -> None:
    b.put(path, dig(d, "encryptionSpec.kmsKeyName"))


def endpoint(raw) -> Live:
    d = raw.data
    b = _new(raw, "gcp.vertex.endpoint", "aiplatform:endpoints.list")
    b.put("network", d.get("network") or None)
    b.flag(
        "private_service_connect", dig(d, "privateServiceConnectConfig.enablePrivateServiceConnect"), False
    )
    _cmek(b, d)
    b.flag("request_response_logging", dig(d, "predictRequestResponseLoggingConfig.enabled"), False)
    b.flag("dedicated_endpoint", d.get("dedicatedEndpointEnabled"), False)
    for i, dm in enumerate(d.get("deployedModels") or []):
        # deployed models run as their own service account (the Vertex AI service agent if none)
        b.relate("runs_as", dm.get("serviceAccount"), f"deployedModels[{i}].serviceAccount")
        if dm.get("model"):
            b.relate(
                "serves_model", full_name(AI, dm["model"].split("@", 1)[0]), f"deployedModels[{i}].model"
            )
    return b.finish()


def model(raw) -> Live:
    d = raw.data
    b = _new(raw, "gcp.vertex.model", "aiplatform:models.list")
    b.put("artifact_uri", d.get("artifactUri") or None)
    b.put("container_image", dig(d, "containerSpec.imageUri"))
    _cmek(b, d)
    return b.finish()


def _env(b: Live, path: str, env: Any) -> dict:
    plain = {e.get("name"): e.get("value") for e in env or [] if isinstance(e, dict) and "value" in e}
    return b.scrub(path, plain)


def custom_job(raw) -> Live:
    d = raw.data
    spec = d.get("jobSpec") or {}
    b = _new(raw, "gcp.vertex.custom_job", "aiplatform:customJobs.list")
    sa = spec.get("serviceAccount") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    b.put("network", spec.get("network") or None)
    _cmek(b, d)
    b.flag("web_access", spec.get("enableWebAccess"), False)
    b.put("base_output_directory", dig(spec, "baseOutputDirectory.outputUriPrefix"))
    containers = []
    for i, pool in enumerate(spec.get("workerPoolSpecs") or []):
        c = pool.get("containerSpec") or {}
        if c:
            containers.append(
                {
                    "image": c.get("imageUri"),
                    "env": _env(b, f"containers[{len(containers)}].env", c.get("env")),
                }
            )
        elif pool.get("pythonPackageSpec"):
            p = pool["pythonPackageSpec"]
            containers.append(
                {"image": p.get("executorImageUri"), "env": _env(b, f"containers[{i}].env", p.get("env"))}
            )
    b.put("containers", containers)
    return b.finish(with_secrets=True)


def pipeline_job(raw) -> Live:
    d = raw.data
    b = _new(raw, "gcp.vertex.pipeline_job", "aiplatform:pipelineJobs.list")
    sa = d.get("serviceAccount") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    b.put("network", d.get("network") or None)
    _cmek(b, d)
    b.put("pipeline_root", dig(d, "runtimeConfig.gcsOutputDirectory"))
    return b.finish()


def featurestore(raw) -> Live:
    d = raw.data
    b = _new(raw, "gcp.vertex.featurestore", "aiplatform:featurestores.list", name=last(d["name"]))
    _cmek(b, d)
    nodes = dig(d, "onlineServingConfig.fixedNodeCount")
    b.put("online_serving_nodes", int(nodes) if nodes is not None else None)
    return b.finish()


def tensorboard(raw) -> Live:
    d = raw.data
    b = _new(raw, "gcp.vertex.tensorboard", "aiplatform:tensorboards.list")
    b.put("display_name", d.get("displayName"))
    _cmek(b, d)
    return b.finish()


def index_endpoint(raw) -> Live:
    d = raw.data
    b = _new(raw, "gcp.vertex.index_endpoint", "aiplatform:indexEndpoints.list")
    b.put("network", d.get("network") or None)
    b.flag("public_endpoint_enabled", d.get("publicEndpointEnabled"), False)
    b.flag(
        "private_service_connect", dig(d, "privateServiceConnectConfig.enablePrivateServiceConnect"), False
    )
    return b.finish()


def runtime_template(raw) -> Live:
    d = raw.data
    b = _new(raw, "gcp.vertex.notebook_runtime_template", "aiplatform:notebookRuntimeTemplates.list")
    b.flag("internet_access", dig(d, "networkSpec.enableInternetAccess"), False)
    b.put("network", dig(d, "networkSpec.network") or None)
    b.put("subnetwork", dig(d, "networkSpec.subnetwork") or None)
    _cmek(b, d)
    sa = d.get("serviceAccount") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    # eucDisabled is a proto3 bool: absent means false, so end-user credentials are on
    b.flag(
        "end_user_credentials",
        None if dig(d, "eucConfig.eucDisabled") is None else not dig(d, "eucConfig.eucDisabled"),
        True,
    )
    b.flag(
        "idle_shutdown",
        not dig(d, "idleShutdownConfig.idleShutdownDisabled") if d.get("idleShutdownConfig") else None,
        False,
    )
    b.flag("shielded_secure_boot", dig(d, "shieldedVmConfig.enableSecureBoot"), False)
    return b.finish()


def _metadata(b: Live, md: Any) -> None:
    md = b.scrub("metadata", md if isinstance(md, dict) else {})
    b.put("metadata", md)
    flag = md.get("notebook-disable-root")
    b.put("root_access", None if flag is None else str(flag).strip().lower() != "true")
    idle = md.get("idle-timeout-seconds")
    try:
        b.put("idle_timeout_seconds", int(idle) if idle is not None else None)
    except ValueError:
        b.put("idle_timeout_seconds", None)


def _accelerators(b: Live, accs: Any) -> None:
    out = [
        {"type": a.get("type"), "count": int(a.get("coreCount", 1))}
        for a in accs or []
        if isinstance(a, dict)
    ]
    b.put("accelerators", out or None, default=[])


def workbench_instance(raw) -> Live:
    """Notebooks API v2 Instance (Vertex AI Workbench)."""
    d = raw.data
    g = d.get("gceSetup") or {}
    b = Live(
        "notebooks:instances.list",
        "gcp.vertex.workbench_instance",
        last(d["name"]),
        full_name(NB, d["name"]),
        raw.project,
        raw.region or _zone(d["name"]),
    )
    b.flag("no_public_ip", g.get("disablePublicIp"), False)
    b.put("disk_encryption_key", dig(g, "bootDisk.kmsKey") or dig(g, "dataDisks.kmsKey"))
    sa = dig(g, "serviceAccounts.email") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    sh = g.get("shieldedInstanceConfig") or {}
    b.flag("shielded_secure_boot", sh.get("enableSecureBoot"), False)
    b.flag("shielded_vtpm", sh.get("enableVtpm"), True)
    b.flag("shielded_integrity_monitoring", sh.get("enableIntegrityMonitoring"), True)
    _metadata(b, g.get("metadata"))
    _accelerators(b, g.get("acceleratorConfigs"))
    return b.finish(with_secrets=True)


def legacy_notebook(raw) -> Live:
    """Notebooks API v1 Instance (user-managed notebooks), the same canonical type."""
    d = raw.data
    b = Live(
        "notebooks:instances.list",
        "gcp.vertex.workbench_instance",
        last(d["name"]),
        full_name(NB, d["name"]),
        raw.project,
        raw.region or _zone(d["name"]),
    )
    b.flag("no_public_ip", d.get("noPublicIp"), False)
    b.put("disk_encryption_key", d.get("kmsKey") or None)
    sa = d.get("serviceAccount") or None
    b.put("service_account", sa)
    b.relate("runs_as", sa, "service_account")
    sh = d.get("shieldedInstanceConfig") or {}
    b.flag("shielded_secure_boot", sh.get("enableSecureBoot"), False)
    b.flag("shielded_vtpm", sh.get("enableVtpm"), True)
    b.flag("shielded_integrity_monitoring", sh.get("enableIntegrityMonitoring"), True)
    _metadata(b, d.get("metadata"))
    acc = d.get("acceleratorConfig")
    _accelerators(
        b,
        [acc]
        if isinstance(acc, dict) and acc.get("type") not in (None, "ACCELERATOR_TYPE_UNSPECIFIED")
        else [],
    )
    return b.finish(with_secrets=True)


def _zone(name: str) -> str | None:
    parts = name.split("/")
    return parts[3] if len(parts) > 3 and parts[2] == "locations" else None
