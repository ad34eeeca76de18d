"""AWS services ML workloads depend on: ECR repositories, KMS keys, log groups, security
groups (with `AWS::EC2::SecurityGroupIngress` folded in), CloudTrail trails, secret
resource policies (`AWS::SecretsManager::ResourcePolicy`, folded into the secret) and
Organizations service control policies; and the
`uses_security_group` relations from SageMaker notebooks and models and Lambda functions
(plain and SAM) to the groups they name, added once every resource is built."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scanner.model.resource import Ref, Relation, Unresolved
from scanner.normalize.iam_policy import normalize_policy
from scanner.normalize.supporting import advanced_data_events, data_event, ingress_rule

from .builder import MISSING, Builder, dig, to_bool, to_int, to_str

REPOSITORY = "aws.ecr.repository"
KEY = "aws.kms.key"
LOG_GROUP = "aws.logs.log_group"
SECURITY_GROUP = "aws.ec2.security_group"
TRAIL = "aws.cloudtrail.trail"
SECRET = "aws.secretsmanager.secret"
ORG_POLICY = "aws.organizations.policy"


def _policy(b: Builder, attr: str, key: str) -> None:
    doc = dig(b.props, (key,))
    b.set(attr, None if doc is MISSING or doc is None else normalize_policy(doc), line=b.line(key))


# ------------------------------------------------------------------------- ECR, KMS, logs
def repository(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("name", "RepositoryName", to_str, default=b.name)  # CFN generates one from the id
    b.prop("scan_on_push", ("ImageScanningConfiguration", "ScanOnPush"), to_bool, default=False)
    b.prop("image_tag_mutability", "ImageTagMutability", to_str, default="MUTABLE")
    b.prop("encryption_type", ("EncryptionConfiguration", "EncryptionType"), to_str, default="AES256")
    b.prop("kms_key", ("EncryptionConfiguration", "KmsKey"), to_str)
    _policy(b, "policy", "RepositoryPolicyText")


def key(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("enable_key_rotation", "EnableKeyRotation", to_bool, default=False)
    _policy(b, "policy", "KeyPolicy")
    b.prop("key_spec", "KeySpec", to_str, default="SYMMETRIC_DEFAULT")
    b.prop("deletion_window_in_days", "PendingWindowInDays", to_int, default=30)


def log_group(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("name", "LogGroupName", to_str, default=b.name)
    b.prop("retention_in_days", "RetentionInDays", to_int)  # absent: never expire
    b.prop("kms_key_id", "KmsKeyId", to_str)


# ------------------------------------------------------------------------- Secrets Manager
def fold_secret_policy(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str], line: int | None
) -> None:
    """An `AWS::SecretsManager::ResourcePolicy` onto the secret its SecretId names."""
    target = props.get("SecretId")
    uid = target.uid if isinstance(target, Ref) else names.get(f"{SECRET}|{target}")
    b = builders.get(uid) if uid else None
    if b is None or b.rtype != SECRET:
        return
    doc = props.get("ResourcePolicy")
    b.provenance.pop("policy", None)
    b.set("policy", normalize_policy(doc) if doc is not None else Unresolved("no ResourcePolicy"), line=line)


# ------------------------------------------------------------------------- Organizations
_ORG_ATTRS = {"rootid": "ROOT", "accountid": "ACCOUNT"}


def _org_target(v: Any) -> dict:
    """One of TargetIds as {id, type, name}: a literal typed by its shape (r-..., ou-..., a
    12-digit account id); `!GetAtt Org.RootId` or `Account.AccountId` by what it names, with
    an id known only once deployed; any other reference (`!Ref` of an OU or an account) untyped."""
    if isinstance(v, Ref):
        what = f"{v.uid.rsplit('#', 1)[-1]}.{v.attr}"
        ttype = _ORG_ATTRS.get(v.attr.lower())
        return {
            "id": Unresolved(f"{what} is known only once deployed"),
            "type": ttype or Unresolved(f"what {what} names"),
            "name": what,
        }
    if isinstance(v, str) and v:
        ttype = (
            "ROOT"
            if v.startswith("r-")
            else "ORGANIZATIONAL_UNIT"
            if v.startswith("ou-")
            else "ACCOUNT"
            if v.isdigit() and len(v) == 12
            else None
        )
        return {"id": v, "type": ttype or Unresolved(f"target id {v}"), "name": None}
    what = v.expr if isinstance(v, Unresolved) else "target id"
    return {"id": Unresolved(what), "type": Unresolved(what), "name": None}


def org_policy(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("type", "Type", to_str, default="SERVICE_CONTROL_POLICY")
    _policy(b, "policy", "Content")
    ids = dig(b.props, ("TargetIds",))
    if ids is MISSING or ids is None:
        b.set("targets", [], default=[])  # attached nowhere
    elif isinstance(ids, list):
        b.set("targets", [_org_target(v) for v in ids], line=b.line("TargetIds"))
    else:
        b.set("targets", ids if isinstance(ids, Unresolved) else Unresolved("TargetIds is not a list"))


# ------------------------------------------------------------------------- security groups
def _ingress(e: Any) -> Any:
    if not isinstance(e, Mapping):
        return e if isinstance(e, Unresolved) else Unresolved("ingress rule is not a mapping")
    return ingress_rule(
        e.get("IpProtocol"), e.get("FromPort"), e.get("ToPort"), e.get("CidrIp"), e.get("CidrIpv6")
    )


def security_group(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("name", "GroupName", to_str, default=b.name)
    b.prop("vpc_id", "VpcId", to_str)
    rules = dig(b.props, ("SecurityGroupIngress",))
    if rules is MISSING or rules is None:
        b.set("ingress", None, default=[])
        return
    if not isinstance(rules, list):
        b.set("ingress", rules if isinstance(rules, Unresolved) else Unresolved("not a list"))
        return
    b.set("ingress", [_ingress(e) for e in rules], line=b.line("SecurityGroupIngress"))
    for i in range(len(rules)):
        if line := b.line("SecurityGroupIngress", i):
            b.lines[f"ingress[{i}]"] = line


def fold_ingress(
    props: Mapping[str, Any], builders: Mapping[str, Builder], names: Mapping[str, str], line: int | None
) -> None:
    """An `AWS::EC2::SecurityGroupIngress` onto the group its GroupId (or GroupName) names."""
    target = props.get("GroupId", props.get("GroupName"))
    uid = target.uid if isinstance(target, Ref) else names.get(f"{SECURITY_GROUP}|{target}")
    b = builders.get(uid) if uid else None
    if b is None or b.rtype != SECURITY_GROUP or not isinstance(b.attrs.get("ingress"), list):
        return
    b.attrs["ingress"].append(_ingress(props))
    b.provenance.pop("ingress", None)
    if line:
        b.lines[f"ingress[{len(b.attrs['ingress']) - 1}]"] = line


# ------------------------------------------------------------------------- CloudTrail
def _selectors(v: Any) -> list[Any]:
    if v is MISSING or v is None:
        return []
    if not isinstance(v, list):
        return [v if isinstance(v, Unresolved) else Unresolved("not a list")]
    return v


def _field_selector(fs: Any) -> Any:
    if not isinstance(fs, Mapping):
        return fs
    keys = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")
    out = {"field": fs.get("Field")}
    for k in keys:
        if k in fs:
            out["".join("_" + c.lower() if c.isupper() else c for c in k).lstrip("_")] = fs[k]
    return out


def trail(b: Builder) -> None:
    b.attrs["arn"] = None
    b.prop("name", "TrailName", to_str, default=b.name)
    b.prop("is_multi_region", "IsMultiRegionTrail", to_bool, default=False)
    b.prop("log_file_validation", "EnableLogFileValidation", to_bool, default=False)
    b.prop("kms_key_id", "KMSKeyId", to_str)
    events: list[Any] = []
    for sel in _selectors(dig(b.props, ("EventSelectors",))):
        if not isinstance(sel, Mapping):
            events.append(sel if isinstance(sel, Unresolved) else Unresolved("event selector"))
            continue
        for dr in _selectors(sel.get("DataResources")):
            if isinstance(dr, Mapping):
                events.append(data_event(dr.get("Type"), dr.get("Values"), sel.get("ReadWriteType")))
            else:
                events.append(dr if isinstance(dr, Unresolved) else Unresolved("data resource"))
    advanced = [
        {"field_selectors": [_field_selector(f) for f in _selectors(s.get("FieldSelectors"))]}
        if isinstance(s, Mapping)
        else s
        for s in _selectors(dig(b.props, ("AdvancedEventSelectors",)))
    ]
    events += advanced_data_events(advanced)
    line = b.line("EventSelectors") or b.line("AdvancedEventSelectors")
    b.set("data_events", events if line or events else None, line=line, default=[])


# ------------------------------------------------------------------------- relations
# Where each compute type names its security groups, once built.
_SG_PATHS = {
    "aws.sagemaker.notebook_instance": ("security_group_ids",),
    "aws.sagemaker.model": ("vpc_config", "security_group_ids"),
    "aws.lambda.function": ("vpc_config", "security_group_ids"),
}


def link_security_groups(builders: Iterable[Builder]) -> None:
    """`uses_security_group` from compute to each group it names by Ref or literal id."""
    for b in builders:
        path = _SG_PATHS.get(b.rtype)
        ids = dig(b.attrs, path) if path else MISSING
        if not isinstance(ids, list):
            continue
        for i, v in enumerate(ids):
            attr = f"{'.'.join(path)}[{i}]"
            if isinstance(v, Ref):
                b.relations.append(Relation(b.uid, "uses_security_group", v.uid, attr))
            elif isinstance(v, str) and v:
                b.relations.append(Relation(b.uid, "uses_security_group", v, attr))


MAPPERS = {
    "AWS::ECR::Repository": (REPOSITORY, repository),
    "AWS::KMS::Key": (KEY, key),
    "AWS::Logs::LogGroup": (LOG_GROUP, log_group),
    "AWS::EC2::SecurityGroup": (SECURITY_GROUP, security_group),
    "AWS::CloudTrail::Trail": (TRAIL, trail),
    "AWS::Organizations::Policy": (ORG_POLICY, org_policy),
}
NAME_KEYS = {
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::CloudTrail::Trail": "TrailName",
}
FOLDERS = {
    "AWS::EC2::SecurityGroupIngress": fold_ingress,
    "AWS::SecretsManager::ResourcePolicy": fold_secret_policy,
}
