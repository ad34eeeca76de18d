"""Google provider, the rest: Cloud Run jobs, Artifact Registry repositories, Secret Manager
secrets, project/folder/organization IAM grants and project audit configs.

Project IAM member and binding resources are both mapped (to `gcp.iam.project_binding`, one
resource per grant) and folded (their roles onto `gcp.iam.service_account.project_roles`
when a member names one of the scan's service accounts): `mapping.normalize` runs the
folder of a type that also has a mapper."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from scanner.model.resource import Ref, Unresolved
from scanner.normalize.terraform.model import TfResource, uid_for

from .builder import Builder, Built
from .fold import Index, _append, _members, iam_members_folder
from .gcp import _run_containers, _runs_as, member_of_sa
from .gcp_ml import _seconds
from .values import blocks, str_list

JOB = "gcp.run.job"
REPO = "gcp.artifactregistry.repository"
SECRET = "gcp.secretmanager.secret"
BINDING = "gcp.iam.project_binding"
AUDIT = "gcp.logging.audit_config"
SA = "gcp.iam.service_account"


# ------------------------------------------------------------------------- Cloud Run jobs
def run_job(tf: TfResource) -> Built:
    b = Builder(tf, JOB, "gcp")
    b.key(b.get("name"))
    t = "template.template"
    _runs_as(b, "service_account", f"{t}.service_account")
    _run_containers(b, f"{t}.containers", "value_source")
    b.attr("encryption_key", f"{t}.encryption_key")
    b.attr("vpc_egress", f"{t}.vpc_access.egress")
    b.attr("vpc_connector", f"{t}.vpc_access.connector")
    b.put("iam_members", [])
    return b.finish(with_secrets=True)


# ------------------------------------------------------------------------- Artifact Registry
def artifact_repository(tf: TfResource) -> Built:
    b = Builder(tf, REPO, "gcp")
    rid = b.get("repository_id")
    b.put("repository_id", rid if rid is not None else Unresolved(f"repository_id of {tf.address}"))
    b.key(rid)
    b.attr("format")
    b.attr("mode", default="STANDARD_REPOSITORY")
    b.attr("kms_key_name")
    b.put("iam_members", [])
    return b.finish()


# ------------------------------------------------------------------------- Secret Manager
def secret_manager_secret(tf: TfResource) -> Built:
    b = Builder(tf, SECRET, "gcp")
    sid = b.get("secret_id")
    b.put("secret_id", sid if sid is not None else Unresolved(f"secret_id of {tf.address}"))
    b.key(sid)
    rotation = b.get("rotation")
    if isinstance(rotation, Unresolved | Ref):
        b.put("rotation_period", Unresolved("rotation is not known"), tf_path="rotation")
        b.put("rotation_period_seconds", Unresolved("rotation is not known"), tf_path="rotation")
        b.put("next_rotation_time", Unresolved("rotation is not known"), tf_path="rotation")
    else:
        period = b.attr("rotation_period", "rotation.rotation_period")
        b.put("rotation_period_seconds", _seconds(period), tf_path="rotation.rotation_period")
        b.attr("next_rotation_time", "rotation.next_rotation_time")
    _replication(b)
    topics = b.get("topics")
    if isinstance(topics, Unresolved | Ref):
        b.put("topics", Unresolved("topics is not known"), tf_path="topics")
    else:
        names = [t.get("name") if isinstance(t, dict) else t for t in blocks(topics)]
        b.put("topics", names or None, tf_path="topics", default=[])
    b.put("iam_members", [])  # google_secret_manager_secret_iam_member / _binding fold in
    return b.finish()


def _replication(b: Builder) -> None:
    rep = b.get("replication")
    if isinstance(rep, Unresolved | Ref):
        b.put("replication", Unresolved("replication is not known"), tf_path="replication")
        b.put("customer_managed_encryption", Unresolved("replication is not known"))
        b.put("kms_key_names", Unresolved("replication is not known"))
        return
    auto = b.get("replication.auto")
    user = b.get("replication.user_managed")
    # `automatic = true` is the provider's older spelling of `auto {}`
    kind = (
        "user_managed"
        if user is not None
        else "auto"
        if auto is not None or b.get("replication.automatic") is not None
        else None
    )
    b.put("replication", kind, tf_path="replication")
    keys: list[Any] = []
    cmek: Any = False
    if kind == "auto":
        k = b.get("replication.auto.customer_managed_encryption.kms_key_name")
        keys = [k] if k is not None else []
        cmek = bool(keys)
    elif kind == "user_managed":
        replicas = b.get("replication.user_managed.replicas")
        if isinstance(replicas, Unresolved | Ref):
            cmek = Unresolved("replicas are not known")
        else:
            rs = [r for r in blocks(replicas) if isinstance(r, dict)]
            for r in rs:
                cme = r.get("customer_managed_encryption")
                cme = cme[0] if isinstance(cme, list) and cme else cme
                if isinstance(cme, dict) and cme.get("kms_key_name") is not None:
                    keys.append(cme["kms_key_name"])
            cmek = bool(rs) and len(keys) == len(rs)
    b.put("customer_managed_encryption", cmek, tf_path="replication", default=False)
    b.put("kms_key_names", keys)


# ------------------------------------------------------------------------- IAM grants
_SCOPE = {"project": "project", "folder": "folder", "organization": "org_id"}
# "serviceAccount:${google_service_account.x.email}" as the HCL front-end leaves it
_HCL_SA_MEMBER = re.compile(
    r'^"?serviceAccount:\$\{\s*((?:module\.[\w-]+\.)*google_service_account\.[\w-]+(?:\[[^\]]*\])?)'
    r'\.(?:email|member)\s*\}"?$'
)
_HCL_SA_REF = re.compile(
    r'^"?\$\{\s*((?:module\.[\w-]+\.)*google_service_account\.[\w-]+(?:\[[^\]]*\])?)\.member\s*\}"?$'
)


def _grant(scope: str) -> Callable[[TfResource], Built]:
    def mapper(tf: TfResource) -> Built:
        b = Builder(tf, BINDING, "gcp")
        b.put("scope", scope)
        b.attr("scope_id", _SCOPE[scope])
        role = b.get("role")
        b.put("role", role if role is not None else Unresolved(f"role of {tf.address}"), tf_path="role")
        authoritative = "members" in tf.config
        members = _members(tf)
        if isinstance(members, list):
            members = [
                m if isinstance(m, str | Unresolved) else Unresolved(f"member of {tf.address}")
                for m in members
            ]
            for m in members:
                if (sa := _sa_target(tf, m)) is not None:
                    b.relate("grants_to", sa, "members", SA)
        b.put("members", members, tf_path="members" if authoritative else "member")
        b.put("authoritative", authoritative)
        cond = b.block("condition")
        if isinstance(cond, dict):
            cond = {"title": cond.get("title"), "expression": cond.get("expression")}
        elif isinstance(cond, Unresolved | Ref):
            cond = Unresolved("condition is not known")
        b.put("condition", cond, tf_path="condition")
        return b.finish()

    return mapper


def _sa_target(tf: TfResource, member: Any) -> Any:
    """What a member names of a service account: a Ref (to the account's uid) from a
    reference, or the literal email; None when it names none."""
    if isinstance(member, Ref):
        return member
    if isinstance(member, Unresolved):
        m = _HCL_SA_MEMBER.match(member.expr) or _HCL_SA_REF.match(member.expr)
        if m is None:
            return None
        address = f"{tf.module}.{m.group(1)}" if tf.module else m.group(1)
        return Ref(uid_for(tf.root, address), "email")
    if isinstance(member, str) and member.startswith("serviceAccount:"):
        return member_of_sa(member)
    return None


def project_roles(tf: TfResource, idx: Index) -> None:
    """A project role granted to one of our service accounts, onto its `project_roles`."""
    role = tf.config.get("role")
    if role is None:
        return
    if not isinstance(role, str):
        role = Unresolved(f"role of {tf.address}")
    members = _members(tf)
    for m in members if isinstance(members, list) else []:
        target = _sa_target(tf, m)
        sa = idx.find(SA, target) if target is not None else None
        if sa is not None and isinstance(sa.resource.attrs.get("project_roles"), list):
            _append(sa, "project_roles", role, tf)


# ------------------------------------------------------------------------- audit configs
_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


def audit_config(tf: TfResource) -> Built:
    b = Builder(tf, AUDIT, "gcp")
    b.put("project", b.get("project"), tf_path="project")
    svc = b.get("service")
    b.put("service", svc if svc is not None else Unresolved(f"service of {tf.address}"), tf_path="service")
    raw = b.get("audit_log_config")
    if isinstance(raw, Unresolved | Ref):
        b.put("log_types", Unresolved("audit_log_config is not known"), tf_path="audit_log_config")
        b.put("exempted_members", {})
        return b.finish()
    types: list[Any] = []
    exempted: dict[str, Any] = {}
    for blk in blocks(raw):
        if not isinstance(blk, dict):
            types.append(Unresolved("audit_log_config is not known"))
            continue
        lt = blk.get("log_type")
        if isinstance(lt, str) and lt not in _LOG_TYPES:
            lt = Unresolved(f"unexpected log_type {lt!r}")
        elif not isinstance(lt, str):
            lt = Unresolved(f"log_type of {tf.address}")
        types.append(lt)
        ex = str_list(blk.get("exempted_members"))
        if isinstance(lt, str) and ex:
            exempted[lt] = ex
    b.put("log_types", types, tf_path="audit_log_config")
    b.put("exempted_members", exempted)
    return b.finish()


MAPPERS: dict[str, Callable[[TfResource], Built]] = {
    "google_cloud_run_v2_job": run_job,
    "google_artifact_registry_repository": artifact_repository,
    "google_secret_manager_secret": secret_manager_secret,
    "google_project_iam_member": _grant("project"),
    "google_project_iam_binding": _grant("project"),
    "google_folder_iam_member": _grant("folder"),
    "google_folder_iam_binding": _grant("folder"),
    "google_organization_iam_member": _grant("organization"),
    "google_organization_iam_binding": _grant("organization"),
    "google_project_iam_audit_config": audit_config,
}

FOLDERS: dict[str, Callable[[TfResource, Index], None]] = {
    "google_cloud_run_v2_job_iam_member": iam_members_folder(JOB, "name"),
    "google_cloud_run_v2_job_iam_binding": iam_members_folder(JOB, "name"),
    "google_artifact_registry_repository_iam_member": iam_members_folder(REPO, "repository"),
    "google_artifact_registry_repository_iam_binding": iam_members_folder(REPO, "repository"),
    "google_secret_manager_secret_iam_member": iam_members_folder(SECRET, "secret_id"),
    "google_secret_manager_secret_iam_binding": iam_members_folder(SECRET, "secret_id"),
    # mapped above too: a grant is a resource of its own, and fills project_roles
    "google_project_iam_member": project_roles,
    "google_project_iam_binding": project_roles,
}
