"""The granted view: who the IAM and RBAC in a scan's saved inventory let use each declared
asset. AWS: every role's and user's identity policies (inline, customer-managed attached,
groups', a few AWS-managed ones known by content), and its permissions boundary when the
inventory has it, asked through `scanner.graph.aws_eval` for the asset's read action.
Kubernetes: Roles and ClusterRoles bound in the asset's namespace that allow reading it.

Not modelled (said in the report's docs): bucket and key resource policies granting other
accounts, SCPs, GCP IAM bindings, Kubernetes group subjects (a group cannot be matched to
a logged user)."""

from __future__ import annotations

import fnmatch

from rules.helpers.iam import attached_policies
from runtime_monitor.audit.declared import Declared, DeclaredAsset
from scanner.graph.aws_eval import Decision, evaluate
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, Unresolved

PROBE = "mlposture-probe"  # stands for "*" in a location when asking about one object
# AWS-managed policies whose effect on the asset actions is well known.
_MANAGED = {
    "AdministratorAccess": ["*"],
    "PowerUserAccess": ["*"],
    "AmazonS3FullAccess": ["s3:*"],
    "AmazonS3ReadOnlyAccess": ["s3:Get*", "s3:List*"],
    "ReadOnlyAccess": ["s3:Get*", "s3:List*", "sagemaker:Describe*", "sagemaker:List*"],
    "AmazonSageMakerFullAccess": ["sagemaker:*"],
    "SecretsManagerReadWrite": ["secretsmanager:*"],
}


def _managed_doc(arn: str) -> dict | None:
    name = arn.rsplit("/", 1)[-1]
    actions = _MANAGED.get(name) if arn.startswith("arn:aws:iam::aws:policy/") else None
    if actions is None:
        return None
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}


def asset_requests(d: DeclaredAsset) -> list[tuple[str, str]]:
    """(action, resource ARN) pairs that mean "uses this asset" on AWS."""
    out = []
    for loc, _ in d.patterns:
        if loc.startswith("s3://"):
            bucket, _, path = loc[5:].partition("/")
            key = (path.replace("*", PROBE) if "*" in path else path + PROBE) if path else PROBE
            out.append(("s3:GetObject", f"arn:aws:s3:::{bucket}/{key}"))
        elif loc.startswith("arn:aws:sagemaker:") and ":endpoint/" in loc:
            out.append(("sagemaker:InvokeEndpoint", loc.replace("*", PROBE)))
        elif loc.startswith("arn:aws:sagemaker:") and ":feature-group/" in loc:
            out.append(("sagemaker:GetRecord", loc.replace("*", PROBE)))
        elif loc.startswith("arn:aws:secretsmanager:"):
            out.append(("secretsmanager:GetSecretValue", loc.replace("*", PROBE)))
    return out


def _docs(inline) -> list:
    if isinstance(inline, Unresolved) or not isinstance(inline, list):
        return []
    return [p.get("document") if isinstance(p, dict) else p for p in inline]


def identity_policies(p: Resource, inv: Inventory) -> list:
    docs = _docs(p.attrs.get("inline_policies"))
    docs += [a.attrs.get("document") for a in attached_policies(p, inv)[0]]
    for arn in p.attrs.get("managed_policy_arns") or []:
        if isinstance(arn, str) and (doc := _managed_doc(arn)) is not None:
            docs.append(doc)
    for g in inv.related(p, "member_of"):
        docs += identity_policies(g, inv)
    return [d for d in docs if d is not None and not isinstance(d, Unresolved)]


class Granted:
    def __init__(self, inventory: Inventory, declared: Declared) -> None:
        self.inv = inventory
        self.by_asset: dict[str, dict[str, str]] = {}  # asset uid -> principal -> decision
        principals = [
            r
            for r in inventory.of_type("aws.iam.role", "aws.iam.user")
            if isinstance(r.attrs.get("arn"), str)
        ]
        policies = {r.uid: identity_policies(r, inventory) for r in principals}
        for d in declared.assets:
            grants: dict[str, str] = {}
            for action, arn in asset_requests(d):
                for r in principals:
                    boundary = self._boundary(r)
                    res = evaluate(action, arn, policies[r.uid], boundary=boundary, principal=r.attrs["arn"])
                    if res.decision in (Decision.ALLOW, Decision.CONDITIONAL_ALLOW):
                        prev = grants.get(r.attrs["arn"])
                        if prev != "allow":
                            grants[r.attrs["arn"]] = res.decision.value
            grants.update(self._k8s(d))
            self.by_asset[d.uid] = grants

    def _boundary(self, r: Resource):
        b = r.attrs.get("permissions_boundary")
        target = self.inv.get(b) if isinstance(b, str) else None
        return (
            target.attrs.get("document") if target is not None and target.type == "aws.iam.policy" else None
        )

    def _k8s(self, d: DeclaredAsset) -> dict[str, str]:
        out: dict[str, str] = {}
        for loc, _ in d.patterns:
            if not loc.startswith("k8s:"):
                continue
            parts = loc[4:].split("/")
            if len(parts) < 2:
                continue
            ns, resource, name = parts[0], parts[1].lower(), parts[2] if len(parts) > 2 else "*"
            resource = resource if resource.endswith("s") else resource + "s"
            for b in self.inv.of_type("k8s.role_binding", "k8s.cluster_role_binding"):
                bns = b.attrs.get("namespace")
                if b.type == "k8s.role_binding" and not fnmatch.fnmatchcase(str(bns), ns):
                    continue
                if not any(self._allows(role, resource, name) for role in self.inv.related(b, "binds")):
                    continue
                for s in b.attrs.get("subjects") or []:
                    if not isinstance(s, dict):
                        continue
                    if s.get("kind") == "ServiceAccount":
                        out[f"system:serviceaccount:{s.get('namespace') or bns}:{s.get('name')}"] = "allow"
                    elif s.get("kind") == "User":
                        out[str(s.get("name"))] = "allow"
        return out

    @staticmethod
    def _allows(role: Resource, resource: str, name: str) -> bool:
        for rule in role.attrs.get("rules") or []:
            if not isinstance(rule, dict):
                continue
            verbs, resources = rule.get("verbs") or [], rule.get("resources") or []
            names = rule.get("resource_names") or []
            if (
                any(v in ("get", "*") for v in verbs)
                and any(r in (resource, "*") for r in resources)
                and (not names or name in names or name == "*")
            ):
                return True
        return False

    def granted_to(self, d: DeclaredAsset, principal: str) -> str | None:
        return self.by_asset.get(d.uid, {}).get(principal)

    def principals(self, d: DeclaredAsset) -> dict[str, str]:
        return self.by_asset.get(d.uid, {})
