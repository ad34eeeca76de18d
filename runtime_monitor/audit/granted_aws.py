"""AWS grants on declared assets, asked through `scanner.graph.aws_eval` for the asset's
read action: each role's and user's identity policies (inline, customer-managed attached,
groups', AWS managed by ARN through `scanner.graph.aws_managed` when importable), its
permissions boundary, the SCPs the inventory holds for its account (their denies), the
bucket's or secret's resource policy, and, for an S3 location encrypted with a KMS key,
the key policy (kms:Decrypt must be allowed too).

Principals a resource policy names that the inventory does not hold (another account, its
root, a role not scanned) are granted through the resource policy alone; from another
account that is "conditional-allow": that account's IAM must allow it as well."""

from __future__ import annotations

from rules.helpers.iam import attached_policies
from runtime_monitor.audit.declared import DeclaredAsset
from runtime_monitor.audit.granted import Grants, weaker
from scanner.graph.aws_eval import Decision, evaluate
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, Unresolved

PROBE = "mlposture-probe"  # stands for "*" in a location when asking about one object
# Used only when scanner.graph.aws_managed cannot be imported: policies whose effect on the
# asset actions is well known.
_KNOWN_MANAGED = {
    "AdministratorAccess": ["*"],
    "PowerUserAccess": ["*"],
    "AmazonS3FullAccess": ["s3:*"],
    "AmazonS3ReadOnlyAccess": ["s3:Get*", "s3:List*"],
    "ReadOnlyAccess": ["s3:Get*", "s3:List*", "sagemaker:Describe*", "sagemaker:List*"],
    "AmazonSageMakerFullAccess": ["sagemaker:*"],
    "SecretsManagerReadWrite": ["secretsmanager:*"],
}
_ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
POSSIBLE = (Decision.ALLOW, Decision.CONDITIONAL_ALLOW)


def managed_doc(arn: str) -> dict | None:
    """An AWS managed policy's document, or None when it is not known here."""
    try:
        from scanner.graph import aws_managed
    except ImportError:
        aws_managed = None
    if aws_managed is not None and (doc := aws_managed.lookup(arn)) is not None:
        return doc
    name = arn.rsplit("/", 1)[-1]
    actions = _KNOWN_MANAGED.get(name) if arn.startswith("arn:aws:iam::aws:policy/") else None
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


def identity_policies(p: Resource, inv: Inventory, unknown: list[str]) -> list:
    """The principal's identity policy documents; AWS managed ARNs not known here go to
    `unknown`."""
    docs = _docs(p.attrs.get("inline_policies"))
    docs += [a.attrs.get("document") for a in attached_policies(p, inv)[0]]
    for arn in p.attrs.get("managed_policy_arns") or []:
        if not isinstance(arn, str) or not arn.startswith("arn:aws:iam::aws:policy/"):
            continue  # customer-managed ARNs are resolved by attached_policies
        doc = managed_doc(arn)
        if doc is None:
            unknown.append(arn)
        else:
            docs.append(doc)
    for g in inv.related(p, "member_of"):
        docs += identity_policies(g, inv, unknown)
    return [d for d in docs if d is not None and not isinstance(d, Unresolved)]


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _statements(doc) -> list[dict]:
    st = doc.get("Statement") if isinstance(doc, dict) else None
    st = [st] if isinstance(st, dict) else st
    return [s for s in st or [] if isinstance(s, dict)]


def named_principals(doc) -> list[str]:
    """AWS principals an Allow statement of a resource policy names, as written ("*" and
    service principals left out: public access is the static rules' concern)."""
    out: list[str] = []
    for s in _statements(doc):
        p = s.get("Principal")
        if s.get("Effect") != "Allow" or not isinstance(p, dict):
            continue
        vals = p.get("AWS")
        for v in vals if isinstance(vals, list) else [vals]:
            if isinstance(v, str) and v != "*" and v not in out:
                out.append(v)
    return out


def canonical_principal(p: str) -> str:
    return f"arn:aws:iam::{p}:root" if p.isdigit() and len(p) == 12 else p


def _delegates_to_iam(key_policy, account: str) -> bool:
    """A KMS key policy lets IAM policies grant use of the key only when it names the
    account (its root) as a principal."""
    root = f"arn:aws:iam::{account}:root"
    return any(canonical_principal(p) == root for p in named_principals(key_policy))


class AwsGrants:
    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self.principals = [
            r for r in inv.of_type("aws.iam.role", "aws.iam.user") if isinstance(r.attrs.get("arn"), str)
        ]
        self.unknown: dict[str, list[str]] = {}
        self.policies = {}
        for r in self.principals:
            unk: list[str] = []
            self.policies[r.uid] = identity_policies(r, inv, unk)
            self.unknown[r.uid] = unk
        self.buckets = {
            str(b.attrs.get("bucket") or b.name): b
            for b in inv.of_type("aws.s3.bucket")
            if b.name is not None
        }
        self.secrets = {str(s.attrs.get("arn")): s for s in inv.of_type("aws.secretsmanager.secret")}
        self.scps = self._scps()

    def _scps(self) -> dict[str | None, list[dict]]:
        """account (None: every account) -> one SCP document holding every deny of the SCPs
        that apply to it, beside an allow of everything: FullAWSAccess is attached to every
        account in practice, and an allow-list SCP without it is not modelled."""
        denies: dict[str | None, list[dict]] = {}
        for p in self.inv.of_type("aws.organizations.policy"):
            if p.attrs.get("type", "SERVICE_CONTROL_POLICY") != "SERVICE_CONTROL_POLICY":
                continue
            doc = p.attrs.get("policy")
            targets = p.attrs.get("targets")
            # {id, type: ACCOUNT|ORGANIZATIONAL_UNIT|ROOT} (scanner/normalize/aws/organizations.py):
            # the root covers every account; an OU's member accounts are not in the inventory, so
            # its denies are not applied (a grant is then reported, never hidden)
            accounts: list[str | None] = []
            for t in targets if isinstance(targets, list) else []:
                if isinstance(t, dict) and t.get("type") == "ACCOUNT" and isinstance(t.get("id"), str):
                    accounts.append(t["id"])
                elif isinstance(t, dict) and t.get("type") == "ROOT":
                    accounts.append(None)
            st = [s for s in _statements(doc) if s.get("Effect") == "Deny"]
            for a in accounts:
                denies.setdefault(a, []).extend(st)
        return {a: [{"Version": "2012-10-17", "Statement": [_ALLOW_ALL, *st]}] for a, st in denies.items()}

    def _scps_for(self, account: str) -> list[dict] | None:
        docs = self.scps.get(account, []) + self.scps.get(None, [])
        return docs or None

    def _boundary(self, r: Resource):
        b = r.attrs.get("permissions_boundary")
        target = self.inv.get(b) if isinstance(b, str) else None
        return (
            target.attrs.get("document") if target is not None and target.type == "aws.iam.policy" else None
        )

    def _resource_policy(self, action: str, arn: str) -> tuple[object, str, Resource | None]:
        """The resource policy that applies (or None), what to call it, and the resource."""
        if action == "s3:GetObject":
            b = self.buckets.get(arn[len("arn:aws:s3:::") :].split("/", 1)[0])
            pol = b.attrs.get("policy") if b is not None else None
            return (pol if isinstance(pol, dict) else None), f"bucket policy {b.uid if b else ''}", b
        if action == "secretsmanager:GetSecretValue":
            s = next((s for a, s in self.secrets.items() if arn.startswith(a.rstrip("*"))), None)
            pol = s.attrs.get("policy") if s is not None else None
            return (pol if isinstance(pol, dict) else None), f"secret policy {s.uid if s else ''}", s
        return None, "", None

    def _kms_key(self, bucket: Resource | None) -> Resource | None:
        enc = bucket.attrs.get("encryption") if bucket is not None else None
        key_id = enc.get("kms_key_id") if isinstance(enc, dict) else None
        key = self.inv.get(key_id) if isinstance(key_id, str) and key_id else None
        return key if key is not None and key.type == "aws.kms.key" else None

    def fill(self, d: DeclaredAsset, out: Grants) -> None:
        for action, arn in asset_requests(d):
            rpol, rname, res = self._resource_policy(action, arn)
            key = self._kms_key(res) if action == "s3:GetObject" else None
            kpol = key.attrs.get("policy") if key is not None else None
            kpol = kpol if isinstance(kpol, dict) else None
            owner = (res.account if res is not None else None) or _account(arn)
            inventoried = set()
            for r in self.principals:
                p = r.attrs["arn"]
                inventoried.add(p)
                docs, scps = self.policies[r.uid], self._scps_for(_account(p))
                res_ = evaluate(
                    action,
                    arn,
                    docs,
                    boundary=self._boundary(r),
                    scps=scps,
                    resource_policy=rpol,
                    principal=p,
                )
                if res_.decision in POSSIBLE:
                    decision = res_.decision.value
                    if kpol is not None:
                        k = self._decrypt(key, kpol, docs, self._boundary(r), scps, p)
                        if k not in POSSIBLE:
                            continue  # the key policy does not let it decrypt what it may read
                        decision = weaker(decision, k.value)
                    via = "identity policy" if rpol is None else f"identity policy or {rname}"
                    out.add(p, decision, via)
                elif res_.decision is not Decision.DENY and self.unknown[r.uid]:
                    out.add(
                        p, "unknown", f"AWS managed policy not known here: {', '.join(self.unknown[r.uid])}"
                    )
            for named in named_principals(rpol) if rpol is not None else []:
                p = canonical_principal(named)
                if p in inventoried:
                    continue
                res_ = evaluate(action, arn, [], resource_policy=rpol, principal=named)
                if res_.decision not in POSSIBLE:
                    continue
                decision = res_.decision.value
                if kpol is not None:
                    k = evaluate(
                        "kms:Decrypt",
                        key.attrs.get("arn") or key.uid,
                        [],
                        resource_policy=kpol,
                        principal=named,
                    ).decision
                    if k not in POSSIBLE:
                        continue
                    decision = weaker(decision, k.value)
                cross = _account(p) not in ("", owner)
                out.add(
                    p,
                    "conditional-allow" if cross else decision,
                    f"{rname}" + (" (cross-account)" if cross else ""),
                )

    def _decrypt(self, key: Resource, kpol, docs, boundary, scps, principal) -> Decision:
        karn = key.attrs.get("arn") or key.uid
        ident = docs if _delegates_to_iam(kpol, key.account or _account(karn)) else []
        return evaluate(
            "kms:Decrypt",
            karn,
            ident,
            boundary=boundary,
            scps=scps,
            resource_policy=kpol,
            principal=principal,
        ).decision
