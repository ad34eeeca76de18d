"""The services ML workloads lean on: KMS keys, ECR repositories, CloudWatch log groups,
CloudTrail trails, Secrets Manager metadata (never values), security groups and VPC
endpoints. Readings shared with IaC come from `scanner.normalize.supporting`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.normalize.governance import rate_days
from scanner.normalize.supporting import advanced_data_events, data_event, ingress_rule

from .base import LiveBuilder, Normalized, Unread, policy_doc, tags_of

if TYPE_CHECKING:
    from . import Raw


def kms_key(raw: Raw) -> Normalized:
    m = raw.data
    b = LiveBuilder(
        "aws.kms.key",
        m["Arn"],
        m["KeyId"],
        raw.account,
        raw.region,
        "kms:DescribeKey",
        tags_of(raw.extra.get("tags"), "TagKey", "TagValue"),
    )
    b.put("arn", m["Arn"])
    b.put("enable_key_rotation", raw.extra.get("rotation"), default=False)
    b.put("policy", policy_doc(raw.extra.get("policy")))
    b.put("key_spec", m.get("KeySpec") or m.get("CustomerMasterKeySpec"), default="SYMMETRIC_DEFAULT")
    b.put("deletion_window_in_days", m.get("PendingDeletionWindowInDays"), default=30)
    b.alias(m["KeyId"])
    for a in raw.extra.get("aliases") or []:
        b.alias(a)
    return b.finish()


def ecr_repository(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder(
        "aws.ecr.repository",
        d["repositoryArn"],
        d["repositoryName"],
        raw.account,
        raw.region,
        "ecr:DescribeRepositories",
    )
    b.put("arn", d["repositoryArn"])
    b.put("name", d["repositoryName"])
    b.put("scan_on_push", (d.get("imageScanningConfiguration") or {}).get("scanOnPush"), default=False)
    b.put("image_tag_mutability", d.get("imageTagMutability"), default="MUTABLE")
    enc = d.get("encryptionConfiguration") or {}
    b.put("encryption_type", enc.get("encryptionType"), default="AES256")
    b.put("kms_key", enc.get("kmsKey"))
    b.put("policy", policy_doc(raw.extra.get("policy")))
    return b.finish()


def log_group(raw: Raw) -> Normalized:
    d = raw.data
    arn = d.get("logGroupArn") or d["arn"].removesuffix(":*")
    b = LiveBuilder(
        "aws.logs.log_group", arn, d["logGroupName"], raw.account, raw.region, "logs:DescribeLogGroups"
    )
    b.put("arn", arn)
    b.put("name", d["logGroupName"])
    b.put("retention_in_days", d.get("retentionInDays"))
    b.put("kms_key_id", d.get("kmsKeyId"))
    b.alias_name(d["logGroupName"])
    return b.finish()


def trail(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder(
        "aws.cloudtrail.trail", d["TrailARN"], d["Name"], raw.account, raw.region, "cloudtrail:DescribeTrails"
    )
    b.put("arn", d["TrailARN"])
    b.put("name", d["Name"])
    b.put("is_multi_region", d.get("IsMultiRegionTrail"), default=False)
    b.put("log_file_validation", d.get("LogFileValidationEnabled"), default=False)
    b.put("kms_key_id", d.get("KmsKeyId"))
    sel = raw.extra.get("selectors") or {}
    if isinstance(sel, Unread):  # GetEventSelectors failed: not "no data events"
        b.put("data_events", sel)
        return b.finish()
    events: list = []
    for s in sel.get("EventSelectors") or []:
        for dr in s.get("DataResources") or []:
            events.append(data_event(dr.get("Type"), dr.get("Values"), s.get("ReadWriteType")))
    adv = [
        {
            "field_selectors": [
                {
                    "field": f.get("Field"),
                    "equals": f.get("Equals"),
                    "starts_with": f.get("StartsWith"),
                    "ends_with": f.get("EndsWith"),
                    "not_equals": f.get("NotEquals"),
                }
                for f in s.get("FieldSelectors") or []
            ]
        }
        for s in sel.get("AdvancedEventSelectors") or []
    ]
    events.extend(advanced_data_events(adv))
    b.put("data_events", events)
    if not events:
        b.res.provenance["data_events"] = "default"
    return b.finish()


def secret(raw: Raw) -> Normalized:
    d = raw.data
    b = LiveBuilder(
        "aws.secretsmanager.secret",
        d["ARN"],
        d["Name"],
        raw.account,
        raw.region,
        "secretsmanager:ListSecrets",
        tags_of(d.get("Tags")),
    )
    b.put("arn", d["ARN"])
    b.put("name", d["Name"])
    b.put("kms_key_id", d.get("KmsKeyId"))
    rules = d.get("RotationRules") or {}
    b.put("rotation_enabled", d.get("RotationEnabled"), default=False)
    days = rules.get("AutomaticallyAfterDays") or rate_days(rules.get("ScheduleExpression"))
    b.put("rotation_days", days)
    b.put("rotation_schedule", rules.get("ScheduleExpression"))
    # GetResourcePolicy: the JSON text of ResourcePolicy, None when no policy is attached,
    # Unresolved when the call failed
    b.put("policy", policy_doc(raw.extra.get("policy")))
    return b.finish()


def _attributes(raw: Raw) -> Any:
    """GetQueueAttributes / GetTopicAttributes: a dict, or `Unread` when the call failed."""
    got = raw.extra.get("attributes")
    return got if isinstance(got, Unread) else got or {}


def queue(raw: Raw) -> Normalized:
    url = raw.data["QueueUrl"]
    name = url.rstrip("/").rsplit("/", 1)[-1]
    attrs = _attributes(raw)
    arn = (attrs.get("QueueArn") if isinstance(attrs, dict) else None) or (
        f"arn:aws:sqs:{raw.region}:{raw.account}:{name}"
    )
    return _with_policy(raw, "aws.sqs.queue", arn, name, "sqs:ListQueues")


def topic(raw: Raw) -> Normalized:
    arn = raw.data["TopicArn"]
    return _with_policy(raw, "aws.sns.topic", arn, arn.rsplit(":", 1)[-1], "sns:ListTopics")


def _with_policy(raw: Raw, rtype: str, arn: str, name: str, api: str) -> Normalized:
    """A queue or topic: its ARN, name and the Policy attribute (JSON text, absent when it has
    none; Unresolved when the attributes could not be read: who may send or subscribe is
    then not known, never "nobody")."""
    attrs = _attributes(raw)
    b = LiveBuilder(rtype, arn, name, raw.account, raw.region, api)
    b.put("arn", arn)
    b.put("name", name)
    b.put("policy", policy_doc(attrs if isinstance(attrs, Unread) else attrs.get("Policy")))
    b.alias_name(name)
    return b.finish()


def security_group(raw: Raw) -> Normalized:
    d = raw.data
    arn = f"arn:aws:ec2:{raw.region}:{raw.account}:security-group/{d['GroupId']}"
    b = LiveBuilder(
        "aws.ec2.security_group",
        arn,
        d.get("GroupName") or d["GroupId"],
        raw.account,
        raw.region,
        "ec2:DescribeSecurityGroups",
        tags_of(d.get("Tags")),
    )
    b.put("arn", arn)
    b.put("name", d.get("GroupName"))
    b.put("vpc_id", d.get("VpcId"))
    rules = []
    for p in d.get("IpPermissions") or []:
        rules.append(
            ingress_rule(
                p.get("IpProtocol"),
                p.get("FromPort"),
                p.get("ToPort"),
                [r["CidrIp"] for r in p.get("IpRanges") or [] if r.get("CidrIp")],
                [r["CidrIpv6"] for r in p.get("Ipv6Ranges") or [] if r.get("CidrIpv6")],
            )
        )
    b.put("ingress", rules)
    b.alias_name(d["GroupId"])
    return b.finish()


def vpc_endpoint(raw: Raw) -> Normalized:
    d = raw.data
    arn = f"arn:aws:ec2:{raw.region}:{raw.account}:vpc-endpoint/{d['VpcEndpointId']}"
    b = LiveBuilder(
        "aws.ec2.vpc_endpoint",
        arn,
        d["VpcEndpointId"],
        raw.account,
        raw.region,
        "ec2:DescribeVpcEndpoints",
        tags_of(d.get("Tags")),
    )
    b.put("arn", arn)
    b.put("vpc_id", d.get("VpcId"))
    b.put("service_name", d.get("ServiceName"))
    b.put("vpc_endpoint_type", d.get("VpcEndpointType"), default="Gateway")
    b.put("policy", policy_doc(d.get("PolicyDocument")))
    b.put("private_dns_enabled", d.get("PrivateDnsEnabled"), default=False)
    return b.finish()


NORMALIZERS = {
    "kms.key": kms_key,
    "ecr.repository": ecr_repository,
    "logs.log_group": log_group,
    "cloudtrail.trail": trail,
    "secretsmanager.secret": secret,
    "sqs.queue": queue,
    "sns.topic": topic,
    "ec2.security_group": security_group,
    "ec2.vpc_endpoint": vpc_endpoint,
}
