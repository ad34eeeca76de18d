"""GCP grants on declared assets: the IAM bindings on the bucket itself (`iam_members` of a
gcp.storage.bucket, live or folded from google_storage_bucket_iam_*) and the project's
(`gcp.iam.project_binding`), roles expanded to permissions through `scanner.graph.gcp_roles`
(custom roles from the inventory first). A binding on a folder or the organization, or on
a project when the bucket is not in the inventory, cannot be placed above the asset here:
it counts as "conditional-allow". A role the catalogue does not know is "unknown".

allUsers and allAuthenticatedUsers are left out (public access is the static rules'
concern); Google groups are kept, though their members cannot be matched to logs."""

from __future__ import annotations

import fnmatch

from runtime_monitor.audit.declared import DeclaredAsset
from runtime_monitor.audit.granted import Grants
from scanner.model.inventory import Inventory
from scanner.model.resource import Unresolved

PUBLIC = ("allUsers", "allAuthenticatedUsers")
# Used only when scanner.graph.gcp_roles cannot be imported.
_BASIC = {
    "roles/owner": ("*",),
    "roles/editor": ("*",),
    "roles/viewer": ("*.get", "*.list"),
    "roles/storage.admin": ("storage.*",),
    "roles/storage.objectAdmin": ("storage.objects.*",),
    "roles/storage.objectViewer": ("storage.objects.get", "storage.objects.list"),
    "roles/aiplatform.user": ("aiplatform.*",),
}


def asset_permissions(d: DeclaredAsset) -> list[tuple[str, str, str]]:
    """(permission, bucket or "", project or "") that mean "uses this asset" on GCP."""
    out = []
    for loc, _ in d.patterns:
        if loc.startswith("gs://"):
            out.append(("storage.objects.get", loc[5:].split("/", 1)[0], ""))
        elif loc.startswith("projects/") and "/endpoints/" in loc:
            out.append(("aiplatform.endpoints.predict", "", loc.split("/")[1]))
    return out


def _role_allows(role: str, permission: str, custom: dict[str, list]) -> str | None:
    """ "allow" / "unknown" / None (the role does not grant the permission)."""
    if role in custom:
        return "allow" if any(fnmatch.fnmatchcase(permission, str(p)) for p in custom[role]) else None
    try:
        from scanner.graph import gcp_roles
    except ImportError:
        pats = _BASIC.get(role)
        if pats is None:
            return "unknown"
        return "allow" if any(fnmatch.fnmatchcase(permission, p) for p in pats) else None
    rp = gcp_roles.lookup(role)
    if not rp.allows(permission):
        return None
    return "allow" if rp.known else "unknown"


class GcpGrants:
    def __init__(self, inv: Inventory) -> None:
        self.buckets = {str(b.attrs.get("name") or b.name): b for b in inv.of_type("gcp.storage.bucket")}
        self.bindings = list(inv.of_type("gcp.iam.project_binding"))
        self.custom = {
            str(r.attrs.get("role_id")): list(r.attrs.get("permissions") or [])
            for r in inv.of_type("gcp.iam.custom_role")
        }

    def fill(self, d: DeclaredAsset, out: Grants) -> None:
        for perm, bucket, project in asset_permissions(d):
            b = self.buckets.get(bucket) if bucket else None
            if b is not None:
                project = project or (b.account or "")
                members = b.attrs.get("iam_members")
                for m in members if isinstance(members, list) else []:
                    if isinstance(m, dict):
                        cond = m.get("condition") is not None
                        self._add(
                            out, m.get("role"), m.get("member"), perm, cond, f"binding on bucket {bucket}"
                        )
            for bnd in self.bindings:
                a = bnd.attrs
                if a.get("scope") == "project" and project and a.get("scope_id") != project:
                    continue  # another project's
                placed = a.get("scope") == "project" and project and a.get("scope_id") == project
                where = f"{a.get('scope')} {a.get('scope_id')} binding"
                cond = a.get("condition") is not None or not placed
                members = a.get("members")
                for m in members if isinstance(members, list) else []:
                    self._add(
                        out, a.get("role"), m, perm, cond, where + ("" if placed else " (above the project)")
                    )

    def _add(self, out: Grants, role, member, perm: str, conditional: bool, via: str) -> None:
        if isinstance(role, Unresolved) or not isinstance(role, str):
            if isinstance(member, str) and member not in PUBLIC:
                out.add(member, "unknown", f"{via}: role not resolved")
            return
        if not isinstance(member, str) or member in PUBLIC or member.startswith("deleted:"):
            return
        verdict = _role_allows(role, perm, self.custom)
        if verdict is None:
            return
        if verdict == "allow" and conditional:
            verdict = "conditional-allow"
        out.add(member, verdict, f"{via}: {role}")
