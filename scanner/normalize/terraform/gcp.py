"""Google provider: Vertex AI, Cloud Run, Cloud Functions, service accounts. IAM member and
binding resources that grant invokers are folded in `fold`."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Ref, Unresolved
from scanner.normalize.terraform.model import TfResource

from .builder import Builder, Built
from .values import blocks, str_map, to_bool, to_int

SA = "gcp.iam.service_account"

# Cloud Run v2 spells ingress as an enum; v1 annotations and the canonical form use these.
_RUN_INGRESS = {
    "INGRESS_TRAFFIC_ALL": "all",
    "INGRESS_TRAFFIC_INTERNAL_ONLY": "internal",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER": "internal-and-cloud-load-balancing",
}
_RUN_INGRESS_V1 = {"all", "internal", "internal-and-cloud-load-balancing"}


def _runs_as(b: Builder, path: str, tf_path: str) -> None:
    sa = b.attr(path, tf_path)
    b.relate("runs_as", sa, path, SA)


def _flag(b: Builder, path: str, tf_path: str, default: bool) -> None:
    b.attr(path, tf_path, default=default, conv=to_bool)


def vertex_endpoint(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.vertex.endpoint", "gcp")
    b.key(b.get("name"))
    b.attr("network")
    _flag(
        b, "private_service_connect", "private_service_connect_config.enable_private_service_connect", False
    )
    b.attr("encryption_key", "encryption_spec.kms_key_name")
    _flag(b, "request_response_logging", "predict_request_response_logging_config.enabled", False)
    _flag(b, "dedicated_endpoint", "dedicated_endpoint_enabled", False)
    return b.finish()


def _metadata(b: Builder, tf_path: str) -> None:
    md = b.scrub_map("metadata", b.get(tf_path), tf_path)
    b.put("metadata", md, tf_path=tf_path)
    root = None
    if isinstance(md, dict) and "notebook-disable-root" in md:
        flag = md["notebook-disable-root"]
        root = (
            (not flag)
            if isinstance(flag, bool)
            else (
                str(flag).strip().lower() != "true"
                if isinstance(flag, str)
                else Unresolved("notebook-disable-root")
            )
        )
    b.put("root_access", root, tf_path=f"{tf_path}.notebook-disable-root")
    idle = md.get("idle-timeout-seconds") if isinstance(md, dict) else md
    if isinstance(idle, str | int) and not isinstance(idle, bool):
        idle = to_int(idle)
    elif idle is not None and not isinstance(idle, Unresolved):
        idle = Unresolved("idle-timeout-seconds")
    b.put("idle_timeout_seconds", idle, tf_path=f"{tf_path}.idle-timeout-seconds")


def _accelerators(b: Builder, tf_path: str, count_key: str) -> None:
    """Accelerator blocks as [{type, count}]; an unknown block list stays unresolved."""
    raw = b.get(tf_path)
    if isinstance(raw, Unresolved | Ref):
        b.put("accelerators", Unresolved(f"{tf_path} is not known"), tf_path=tf_path)
        return
    out: list[Any] = []
    for blk in blocks(raw):
        if not isinstance(blk, dict):
            out.append(Unresolved(f"{tf_path} is not known"))
            continue
        count = blk.get(count_key)
        out.append({"type": blk.get("type"), "count": 1 if count is None else to_int(count)})
    b.put("accelerators", out if raw else None, tf_path=tf_path, default=[])


def workbench_instance(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.vertex.workbench_instance", "gcp")
    b.key(b.get("name"))
    g = "gce_setup"
    _flag(b, "no_public_ip", f"{g}.disable_public_ip", False)
    key = b.get(f"{g}.boot_disk.kms_key")
    if key is None:
        key = b.get(f"{g}.data_disks.kms_key")
    b.put("disk_encryption_key", key, tf_path=f"{g}.boot_disk")
    _runs_as(b, "service_account", f"{g}.service_accounts.email")
    _flag(b, "shielded_secure_boot", f"{g}.shielded_instance_config.enable_secure_boot", False)
    _flag(b, "shielded_vtpm", f"{g}.shielded_instance_config.enable_vtpm", True)
    _flag(
        b, "shielded_integrity_monitoring", f"{g}.shielded_instance_config.enable_integrity_monitoring", True
    )
    _metadata(b, f"{g}.metadata")
    _accelerators(b, f"{g}.accelerator_configs", "core_count")
    return b.finish(with_secrets=True)


def notebooks_instance(tf: TfResource) -> Built:
    """The legacy `google_notebooks_instance`, mapped to the same canonical type."""
    b = Builder(tf, "gcp.vertex.workbench_instance", "gcp")
    b.key(b.get("name"))
    _flag(b, "no_public_ip", "no_public_ip", False)
    b.attr("disk_encryption_key", "kms_key")
    _runs_as(b, "service_account", "service_account")
    _flag(b, "shielded_secure_boot", "shielded_instance_config.enable_secure_boot", False)
    _flag(b, "shielded_vtpm", "shielded_instance_config.enable_vtpm", True)
    _flag(b, "shielded_integrity_monitoring", "shielded_instance_config.enable_integrity_monitoring", True)
    _metadata(b, "metadata")
    _accelerators(b, "accelerator_config", "core_count")
    return b.finish(with_secrets=True)


# ------------------------------------------------------------------------- Cloud Run
def _run_containers(b: Builder, tf_path: str, secret_block: str) -> list:
    out: list[Any] = []
    containers = b.get(tf_path)
    if isinstance(containers, Unresolved | Ref):
        b.put("containers", Unresolved(f"{tf_path} is not known"), tf_path=tf_path)
        return []
    for i, c in enumerate(blocks(containers)):
        cpath, tpath = f"containers[{i}]", f"{tf_path}[{i}]"
        if not isinstance(c, dict):
            out.append(Unresolved(f"{tpath} is not known"))
            continue
        literal: dict[str, Any] = {}
        secret_env: list[Any] = []
        for e in blocks(c.get("env")):
            if not isinstance(e, dict):
                continue
            name = e.get("name")
            if blocks(e.get(secret_block)) or isinstance(e.get(secret_block), Unresolved | Ref):
                secret_env.append(name)
            elif isinstance(name, str):
                literal[name] = e.get("value")
        env = b.scrub_map(f"{cpath}.env", literal, f"{tpath}.env")
        out.append({"image": c.get("image"), "env": env, "secret_env": secret_env})
        if (ln := b.line(tpath)) is not None:
            b.res.lines[cpath] = ln
    b.put("containers", out, tf_path=tf_path)
    return out


def run_service_v1(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.run.service", "gcp")
    b.key(b.get("name"))
    ann = str_map(b.get("metadata.annotations"))
    ann = ann if isinstance(ann, dict) else {}
    tann = str_map(b.get("template.metadata.annotations"))
    tann = tann if isinstance(tann, dict) else {}
    ingress = ann.get("run.googleapis.com/ingress")
    if isinstance(ingress, str) and ingress not in _RUN_INGRESS_V1:
        ingress = Unresolved(f"unexpected ingress {ingress!r}")
    b.put("ingress", ingress, tf_path="metadata.annotations.run.googleapis.com/ingress", default="all")
    _runs_as(b, "service_account", "template.spec.service_account_name")
    _run_containers(b, "template.spec.containers", "value_from")
    b.put("encryption_key", tann.get("run.googleapis.com/encryption-key"))
    b.put("vpc_egress", tann.get("run.googleapis.com/vpc-access-egress"))
    b.put("vpc_connector", tann.get("run.googleapis.com/vpc-access-connector"))
    binauthz = ann.get("run.googleapis.com/binary-authorization")
    b.put("binary_authorization", True if binauthz else None, default=False)
    b.put("invoker_members", [])
    return b.finish(with_secrets=True)


def run_service_v2(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.run.service", "gcp")
    b.key(b.get("name"))
    b.attr(
        "ingress", default="all", conv=lambda v: _RUN_INGRESS.get(v, Unresolved(f"unexpected ingress {v!r}"))
    )
    _runs_as(b, "service_account", "template.service_account")
    _run_containers(b, "template.containers", "value_source")
    b.attr("encryption_key", "template.encryption_key")
    b.attr("vpc_egress", "template.vpc_access.egress")
    b.attr("vpc_connector", "template.vpc_access.connector")
    ba = b.get("binary_authorization")
    b.put("binary_authorization", True if ba else None, tf_path="binary_authorization", default=False)
    b.put("invoker_members", [])
    return b.finish(with_secrets=True)


# ------------------------------------------------------------------------- Cloud Functions
def _function_common(b: Builder, base: str) -> None:
    p = f"{base}." if base else ""
    b.attr("ingress_settings", f"{p}ingress_settings", default="ALLOW_ALL")
    _runs_as(b, "service_account", f"{p}service_account_email")
    env = b.scrub_map("environment", b.get(f"{p}environment_variables"), f"{p}environment_variables")
    b.put("environment", env, tf_path=f"{p}environment_variables")
    secrets = b.get(f"{p}secret_environment_variables")
    if isinstance(secrets, Unresolved | Ref):
        b.put("secret_env", Unresolved("secret_environment_variables is not known"))
    else:
        b.put(
            "secret_env",
            [s.get("key") for s in blocks(secrets) if isinstance(s, dict)],
            tf_path=f"{p}secret_environment_variables",
        )
    b.attr("vpc_connector", f"{p}vpc_connector")
    b.attr("kms_key_name")
    b.put("invoker_members", [])


def function_v1(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.functions.function", "gcp")
    b.key(b.get("name"))
    b.put("generation", "v1")
    trig = b.get("trigger_http")
    b.put(
        "https_trigger",
        to_bool(trig) if trig is not None and not isinstance(trig, Unresolved | Ref) else trig,
        tf_path="trigger_http",
        default=False,
    )
    b.attr("https_security_level", "https_trigger_security_level")
    _function_common(b, "")
    return b.finish(with_secrets=True)


def function_v2(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.functions.function", "gcp")
    b.key(b.get("name"))
    b.put("generation", "v2")
    # A v2 function without an event trigger is an HTTP function, served over HTTPS only.
    event = b.get("event_trigger")
    http = Unresolved("event_trigger is not known") if isinstance(event, Unresolved | Ref) else not event
    b.put("https_trigger", http, tf_path="event_trigger")
    b.put("https_security_level", "SECURE_ALWAYS" if http is True else None)
    _function_common(b, "service_config")
    return b.finish(with_secrets=True)


def service_account(tf: TfResource) -> Built:
    b = Builder(tf, SA, "gcp")
    account_id = b.attr("account_id")
    email = b.get("email")
    if email is None:
        project = b.get("project")
        if isinstance(account_id, str) and isinstance(project, str):
            email = f"{account_id}@{project}.iam.gserviceaccount.com"
        else:
            email = Unresolved(f"email of {tf.address} (project from the provider)")
    b.put("email", email, tf_path="email")
    b.key(email)
    b.alias(email)
    if isinstance(email, str):
        b.alias(f"serviceAccount:{email}")
    b.put("project_roles", [])
    b.put("iam_members", [])  # google_service_account_iam_member / _binding fold in (gcp_more)
    return b.finish()


def service_account_key(tf: TfResource) -> Built:
    b = Builder(tf, "gcp.iam.service_account_key", "gcp")
    sa = b.attr("service_account", "service_account_id")
    b.relate("key_of", sa, "service_account", SA)
    b.attr("key_algorithm", default="KEY_ALG_RSA_2048")
    b.attr("public_key_type", default="TYPE_X509_PEM_FILE")
    uploaded = b.get("public_key_data")
    b.put("uploaded", True if uploaded is not None else None, tf_path="public_key_data", default=False)
    return b.finish()


def member_of_sa(member: Any) -> Any:
    """`serviceAccount:<email>` -> email, for matching project IAM members to accounts."""
    if isinstance(member, str) and member.startswith("serviceAccount:"):
        return member.split(":", 1)[1]
    return member


MAPPERS = {
    "google_vertex_ai_endpoint": vertex_endpoint,
    "google_workbench_instance": workbench_instance,
    "google_notebooks_instance": notebooks_instance,
    "google_cloud_run_service": run_service_v1,
    "google_cloud_run_v2_service": run_service_v2,
    "google_cloudfunctions_function": function_v1,
    "google_cloudfunctions2_function": function_v2,
    "google_service_account": service_account,
    "google_service_account_key": service_account_key,
}
