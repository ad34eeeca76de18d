"""Logging that ML investigations rely on: CloudWatch log groups (function, endpoint and
training logs) and CloudTrail trails (who invoked which function, who read which model)."""

from __future__ import annotations

from rules.sdk import Verdict, fail, ok, rule, unknown
from scanner.model.resource import Resource, Unresolved

LOG_GROUP = "aws.logs.log_group"
TRAIL = "aws.cloudtrail.trail"
# The data-event resource types a trail must record for ML workloads, and what they cover.
DATA_EVENT_TYPES = {
    "AWS::Lambda::Function": "Lambda invocations",
    "AWS::S3::Object": "S3 object access (model and data buckets)",
}


@rule(
    id="logs-log-group-retention-set",
    title="CloudWatch log groups have a retention period",
    severity="low",
    category="logging",
    applies_to=[LOG_GROUP],
    description="A log group without retention keeps every event forever: inference payloads, prompts "
    "and stack traces that functions and endpoints log accumulate with no end, and cost with them. "
    "Set the period your retention policy asks for.",
    risk="Sensitive request data kept indefinitely; unbounded log storage cost.",
    remediation={
        "terraform": "retention_in_days = 365",
        "cloudformation": "RetentionInDays: 365",
        "cli": "aws logs put-retention-policy --log-group-name NAME --retention-in-days 365",
    },
    references=[
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html"
        "#SettingLogRetention"
    ],
    aliases=["CKV_AWS_66", "cloudwatch_log_group_retention_policy_specific_days_enabled"],
)
def retention_set(lg: Resource):
    if lg.a.get("retention_in_days") is None:
        return fail("log events never expire", at="retention_in_days")
    return ok()


@rule(
    id="logs-log-group-encrypted-with-cmk",
    title="CloudWatch log groups are encrypted with a customer-managed KMS key",
    severity="low",
    category="encryption",
    applies_to=[LOG_GROUP],
    description="Log groups are encrypted with a CloudWatch-owned key unless a KMS key is associated; "
    "a key of your own keeps logged prompts, payloads and errors readable only by principals the "
    "key policy allows.",
    risk="Logged inference data readable by anyone with CloudWatch Logs read access.",
    remediation={
        "terraform": "kms_key_id = aws_kms_key.logs.arn",
        "cloudformation": "KmsKeyId: !GetAtt LogsKey.Arn",
        "cli": "aws logs associate-kms-key --log-group-name NAME --kms-key-id KEY_ARN",
    },
    references=["https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"],
    aliases=["CKV_AWS_158", "cloudwatch_log_group_kms_encryption_enabled"],
)
def encrypted_with_cmk(lg: Resource):
    if not lg.a.get("kms_key_id"):
        return fail("no customer-managed KMS key is associated", at="kms_key_id")
    return ok()


def _covered(events) -> tuple[set[str], bool]:
    """The data-event types recorded for both reads and writes, and whether any selector was
    unreadable."""
    modes: dict[str, set[str]] = {}
    opaque = False
    for e in events if isinstance(events, list) else []:
        if not isinstance(e, dict) or isinstance(e.get("resource_type"), Unresolved):
            opaque = True
            continue
        rw = e.get("read_write")
        if isinstance(rw, Unresolved):
            opaque = True
            continue
        modes.setdefault(e["resource_type"], set()).add(rw)
    full = {t for t, m in modes.items() if "All" in m or {"ReadOnly", "WriteOnly"} <= m}
    return full, opaque or isinstance(events, Unresolved)


@rule(
    id="cloudtrail-logs-lambda-and-s3-data-events",
    title="CloudTrail records data events for Lambda invocations and S3 objects",
    severity="medium",
    category="logging",
    applies_to=[TRAIL],
    description="Management events do not show who invoked a function or who read or replaced a model "
    "artefact or training object; those are data events, which a trail records only when selected. "
    "A trail passes when it, or another trail in the scan, records both reads and writes for "
    "AWS::Lambda::Function and AWS::S3::Object.",
    risk="Model theft, training-data poisoning and function abuse leave no audit trail.",
    remediation={
        "terraform": 'event_selector {\n  read_write_type = "All"\n  data_resource {\n'
        '    type   = "AWS::S3::Object"\n    values = ["arn:aws:s3"]\n  }\n  data_resource {\n'
        '    type   = "AWS::Lambda::Function"\n    values = ["arn:aws:lambda"]\n  }\n}',
        "cloudformation": "EventSelectors:\n  - ReadWriteType: All\n    DataResources:\n"
        # quoted types: a JSON report carrying this text is then not sniffed as a template
        '      - Type: "AWS::S3::Object"\n        Values: ["arn:aws:s3"]\n'
        '      - Type: "AWS::Lambda::Function"\n        Values: ["arn:aws:lambda"]',
        "cli": "aws cloudtrail put-event-selectors --trail-name NAME --advanced-event-selectors ...",
    },
    references=[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html"
    ],
    aliases=[
        "cloudtrail_s3_dataevents_read_enabled",
        "cloudtrail_s3_dataevents_write_enabled",
        "awslambda_function_invoke_api_operations_cloudtrail_logging_enabled",
    ],
)
def lambda_and_s3_data_events(trail: Resource, inv) -> Verdict:
    covered, opaque = _covered(trail.attrs.get("data_events"))
    for other in inv.of_type(TRAIL):
        if other.uid != trail.uid and other.account == trail.account:
            more, _ = _covered(other.attrs.get("data_events"))
            covered |= more
    missing = [t for t in DATA_EVENT_TYPES if t not in covered]
    if not missing:
        return ok()
    if opaque:
        return unknown("an event selector is unresolved", at="data_events")
    return fail(f"no trail records {DATA_EVENT_TYPES[missing[0]]} (reads and writes)", at="data_events")


@rule(
    id="cloudtrail-multi-region-and-validated",
    title="CloudTrail trails cover every region and validate log file integrity",
    severity="low",
    category="logging",
    applies_to=[TRAIL],
    description="A single-region trail misses activity in the regions an attacker picks (GPU capacity is "
    "often sought where it is free); without log file validation, deleted or altered log files "
    "cannot be detected.",
    risk="Activity outside the trail's region, or tampering with delivered logs, goes unseen.",
    remediation={
        "terraform": "is_multi_region_trail      = true\nenable_log_file_validation = true",
        "cloudformation": "IsMultiRegionTrail: true\nEnableLogFileValidation: true",
        "cli": "aws cloudtrail update-trail --name NAME --is-multi-region-trail --enable-log-file-validation",
    },
    references=[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
    ],
    aliases=[
        "CKV_AWS_67",
        "CKV_AWS_36",
        "cloudtrail_multi_region_enabled",
        "cloudtrail_log_file_validation_enabled",
    ],
)
def multi_region_and_validated(trail: Resource):
    if not trail.a.get("is_multi_region", False):
        yield fail("the trail records one region only", at="is_multi_region")
    if not trail.a.get("log_file_validation", False):
        yield fail("log file validation is disabled", at="log_file_validation")
