"""Google provider IAM that the privilege graph reads: custom roles (their permissions) and
service account IAM member and binding resources (who may act as, or mint tokens for, an
account), folded into the account's `iam_members`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.model.resource import Unresolved
from scanner.normalize.terraform.model import TfResource

from .builder import Builder, Built
from .fold import Index, iam_members_folder
from .values import str_list

SA = "gcp.iam.service_account"


# ------------------------------------------------------------------------- custom roles
def _custom_role(scope: str) -> Callable[[TfResource], Built]:
    """`google_project_iam_custom_role` / `google_organization_iam_custom_role`; role_id is the
    full name bindings use (projects/P/roles/ID), Unresolved when P comes from the provider."""

    def mapper(tf: TfResource) -> Built:
        b = Builder(tf, "gcp.iam.custom_role", "gcp")
        rid, parent = b.get("role_id"), b.get("project" if scope == "project" else "org_id")
        prefix = "projects" if scope == "project" else "organizations"
        if isinstance(rid, str) and isinstance(parent, str):
            full: Any = f"{prefix}/{parent}/roles/{rid}"
            b.alias(full)
        else:
            full = Unresolved(f"role_id of {tf.address}", f"{prefix}/" if isinstance(rid, str) else "")
        b.put("role_id", full, tf_path="role_id")
        b.key(rid)
        b.attr("title")
        b.attr("stage", default="GA")
        perms = str_list(b.get("permissions"))
        b.put("permissions", sorted(perms) if isinstance(perms, list) else perms, tf_path="permissions")
        return b.finish()

    return mapper


MAPPERS: dict[str, Callable[[TfResource], Built]] = {
    "google_project_iam_custom_role": _custom_role("project"),
    "google_organization_iam_custom_role": _custom_role("organization"),
}

FOLDERS: dict[str, Callable[[TfResource, Index], None]] = {
    "google_service_account_iam_member": iam_members_folder(SA, "service_account_id"),
    "google_service_account_iam_binding": iam_members_folder(SA, "service_account_id"),
}
