"""Generate `severities.json`: a severity and a category for every Checkov policy that can
fire on Terraform, Terraform plans, CloudFormation and Kubernetes.

OSS Checkov has no severities (they come from the Prisma platform), so `--with-checkov`
could not gate on its findings without this table. It is made once per Checkov version
from each policy's name and categories, by the heuristics below (first match wins), then
the notable policies are fixed by hand in OVERRIDES, which survive regeneration:

    .venv/bin/python rules/checkov/make_severities.py      # rewrites severities.json

Heuristics, in order (each entry records which one decided it, as `why`):
- critical: hard-coded secrets or credentials; wildcard admin (`*:*`, full administrative
  privileges).
- high: public/anonymous access, 0.0.0.0/0 or "any" ingress, wildcard principals,
  privilege escalation, data exfiltration, credential exposure, unrestricted write or
  permissions management, missing authentication/authorization, privileged or
  host-namespace containers.
- medium: encryption at rest or in transit (KMS/CMK, TLS/SSL/HTTPS), network placement
  (VPC, network isolation, IMDSv2), remaining IAM and network policies.
- low: logging, monitoring, tracing, auditing, versioning, backups, retention, deletion
  protection, replication, multi-AZ, DLQs and concurrency limits, tags.
- info: conventions (descriptions, labels) with no security effect.
- anything else: the documented default, `medium` (listed as `why: "default"`).
"""

from __future__ import annotations

import inspect
import json
import os
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "severities.json"
DEFAULT_SEVERITY = "medium"
FRAMEWORKS = ("terraform", "terraform_plan", "cloudformation", "kubernetes")

# Checkov category -> ours. GENERAL_SECURITY is split by name (containers -> isolation).
CATEGORY = {
    "IAM": "iam",
    "NETWORKING": "network",
    "ENCRYPTION": "encryption",
    "LOGGING": "logging",
    "SECRETS": "secrets",
    "BACKUP_AND_RECOVERY": "availability",
    "SUPPLY_CHAIN": "supply-chain",
    "KUBERNETES": "isolation",
    "API_SECURITY": "network",
    "GENERAL_SECURITY": "governance",
    "CONVENTION": "governance",
    "APPLICATION_SECURITY": "governance",
    "AI_AND_ML": "governance",
}
_ISOLATION = re.compile(
    r"container|privileg|host ?(pid|ipc|network|path)|root|capabilit|seccomp|apparmor|selinux"
)


def _rx(*words: str) -> re.Pattern:
    return re.compile("|".join(words), re.I)


# (severity, why, pattern on the lowercased name, Checkov categories that must match or None)
HEURISTICS: list[tuple[str, str, re.Pattern, set[str] | None]] = [
    (
        "critical",
        "hard-coded secret",
        _rx(
            r"hard.?coded",
            r"secrets? .*(in|are not).*(plain|clear) ?text",
            r"no secrets?",
            r"access keys? .*(not|no) .*(hard|embedded|in)",
        ),
        None,
    ),
    (
        "critical",
        "wildcard admin",
        _rx(r"\*[-:]\*", r"full (\S+ )?administrative", r"admin(istrator)? (access|privileges)"),
        None,
    ),
    (
        "high",
        "public exposure",
        _rx(
            r"public",
            r"anonymous",
            r"unauthenticated",
            r"allusers",
            r"all ?authenticated ?users",
            r"internet",
            r"0\.0\.0\.0",
            r"::/0",
            r"allow-all",
            r"any principal",
            r"wildcard.*principal",
            r"principal.*\*",
            r"overly permissive",
        ),
        None,
    ),
    (
        "high",
        "privilege escalation / exfiltration",
        _rx(
            r"privilege escalation",
            r"privileged escalation",
            r"exfiltration",
            r"credentials? exposure",
            r"permissions management",
            r"write access without",
            r"without constraints",
            r"assume.*role.*(any|all|\*)",
            r"all \(\*\) actions",
        ),
        None,
    ),
    ("high", "known CVE", _rx(r"cve-\d{4}-\d+"), None),
    (
        "high",
        "missing authentication",
        _rx(
            r"authori[sz]ation (type|mode|or)",
            r"authentication (is )?(enabled|required|set)",
            r"auth(entication)?[- ]?(type|required)",
            r"basic.?auth",
            r"anonymous-auth",
            r"alwaysallow",
            r"insecure",
        ),
        None,
    ),
    (
        "high",
        "privileged container",
        _rx(
            r"privileged container",
            r"containers? .*privileged",
            r"host (pid|ipc|network)",
            r"hostpid|hostipc|hostnetwork",
            r"allowprivilegeescalation",
            r"privilege escalation",
            r"cap_sys_admin",
            r"docker socket",
            r"root containers",
            r"as root",
        ),
        None,
    ),
    (
        "medium",
        "encryption",
        _rx(
            r"encrypt",
            r"\bkms\b",
            r"\bcmk\b",
            r"\bcsek\b",
            r"customer.managed key",
            r"\btls\b",
            r"\bssl\b",
            r"https",
            r"cipher",
            r"cert",
        ),
        {"ENCRYPTION"},
    ),
    (
        "medium",
        "encryption",
        _rx(r"encrypt", r"\bkms\b", r"\bcmk\b", r"customer.managed key", r"\btls\b", r"\bssl\b", r"https"),
        None,
    ),
    (
        "medium",
        "network placement",
        _rx(
            r"\bvpc\b",
            r"network isolation",
            r"imds",
            r"metadata service",
            r"private (endpoint|cluster|network)",
        ),
        None,
    ),
    (
        "low",
        "logging / monitoring",
        _rx(
            r"logg?ing",
            r"\blogs?\b",
            r"monitor",
            r"tracing",
            r"x-?ray",
            r"audit",
            r"insights",
            r"alarm",
            r"metrics?",
        ),
        None,
    ),
    (
        "low",
        "resilience",
        _rx(
            r"versioning",
            r"backup",
            r"retention",
            r"deletion protection",
            r"point.in.time",
            r"replicat",
            r"multi.?az",
            r"dead.?letter|\bdlq\b",
            r"concurren",
            r"snapshot",
            r"recovery",
            r"auto.?upgrade|minor version",
            r"lifecycle",
            r"termination protection",
            r"(cpu|memory) (requests|limits)",
            r"liveness|readiness",
            r"expiration",
        ),
        None,
    ),
    ("low", "tags", _rx(r"\btags?\b", r"tagged"), None),
    ("info", "convention", _rx(r"description", r"\blabels?\b"), {"CONVENTION"}),
    ("low", "category: logging", re.compile(".*"), {"LOGGING"}),
    ("low", "category: backup", re.compile(".*"), {"BACKUP_AND_RECOVERY"}),
    ("info", "category: convention", re.compile(".*"), {"CONVENTION"}),
    ("medium", "category: encryption", re.compile(".*"), {"ENCRYPTION"}),
    ("medium", "category: iam", re.compile(".*"), {"IAM"}),
    ("medium", "category: networking", re.compile(".*"), {"NETWORKING"}),
]

# Hand review: (severity, reason). Kept across regeneration.
OVERRIDES: dict[str, tuple[str, str]] = {
    "CKV_AWS_20": ("high", "S3 bucket ACL grants public READ"),
    "CKV_AWS_57": ("critical", "S3 bucket ACL grants public WRITE"),
    "CKV_AWS_24": ("high", "security group opens SSH (22) to 0.0.0.0/0"),
    "CKV_AWS_25": ("high", "security group opens RDP (3389) to 0.0.0.0/0"),
    "CKV_AWS_260": ("high", "security group opens HTTP (80) to 0.0.0.0/0"),
    "CKV_AWS_277": ("high", "security group allows all ports from 0.0.0.0/0"),
    "CKV_AWS_1": ("critical", "IAM policy document allows *:* admin"),
    "CKV_AWS_62": ("critical", "IAM policy allows *:* admin"),
    "CKV_AWS_63": ("high", "IAM policy allows action '*'"),
    "CKV_AWS_274": ("critical", "AdministratorAccess attached to a role, user or group"),
    "CKV_AWS_41": ("critical", "AWS access keys hard-coded in the provider block"),
    "CKV_AWS_45": ("critical", "secrets in Lambda environment variables"),
    "CKV_AWS_46": ("critical", "secrets in EC2 user data"),
    "CKV_AWS_122": ("high", "SageMaker notebook with direct internet access"),
    "CKV_AWS_258": ("high", "Lambda function URL without IAM auth"),
    "CKV_AWS_301": ("high", "Lambda function invokable by anyone"),
    "CKV_AWS_21": ("low", "S3 versioning"),
    "CKV_AWS_18": ("low", "S3 access logging"),
    "CKV_AWS_144": ("low", "S3 cross-region replication"),
    "CKV2_AWS_61": ("low", "S3 lifecycle configuration"),
    "CKV2_AWS_62": ("low", "S3 event notifications"),
    "CKV_AWS_115": ("low", "Lambda concurrency limit"),
    "CKV_AWS_116": ("low", "Lambda dead-letter queue"),
    "CKV_AWS_272": ("medium", "Lambda code signing (supply chain)"),
    "CKV_K8S_16": ("high", "privileged container"),
    "CKV_K8S_17": ("high", "hostPID"),
    "CKV_K8S_18": ("high", "hostIPC"),
    "CKV_K8S_19": ("high", "hostNetwork"),
    "CKV_K8S_20": ("high", "allowPrivilegeEscalation"),
    "CKV_K8S_23": ("medium", "container may run as root"),
    "CKV_K8S_27": ("critical", "Docker socket mounted into a container"),
    "CKV_K8S_39": ("high", "CAP_SYS_ADMIN"),
    "CKV_K8S_49": ("high", "RBAC wildcard verbs/resources"),
    "CKV_K8S_155": ("high", "ClusterRole controls admission webhooks"),
    "CKV_K8S_35": ("low", "secrets as files rather than env vars"),
    "CKV_K8S_10": ("low", "CPU requests"),
    "CKV_K8S_11": ("low", "CPU limits"),
    "CKV_K8S_12": ("low", "memory requests"),
    "CKV_K8S_13": ("low", "memory limits"),
    "CKV_K8S_14": ("low", "image tag pinned"),
    "CKV_K8S_43": ("low", "image digest pinned"),
    "CKV_K8S_21": ("info", "default namespace"),
}


def _categories(check) -> list[str]:
    cats = getattr(check, "categories", None)
    if cats:
        return [c.name for c in cats]
    cat = getattr(check, "category", None)
    return [str(cat).upper()] if cat else []


def our_category(name: str, cats: list[str]) -> str:
    for c in cats:
        if c == "GENERAL_SECURITY" and _ISOLATION.search(name.lower()):
            return "isolation"
        if c in CATEGORY:
            return CATEGORY[c]
    return "isolation" if _ISOLATION.search(name.lower()) else "governance"


def classify(name: str, cats: list[str]) -> tuple[str, str]:
    """(severity, why) by the heuristics above."""
    low = name.lower()
    for sev, why, rx, need in HEURISTICS:
        if need is not None and not need & set(cats):
            continue
        if rx.search(low):
            return sev, why
    return DEFAULT_SEVERITY, "default"


def installed_policies() -> dict[str, tuple[str, list[str], str]]:
    """id -> (name, Checkov categories, source path inside the checkov package) for every
    policy the four frameworks can run."""
    os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
    import checkov
    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.kubernetes.checks.resource.registry import registry as k8s_registry
    from checkov.terraform.checks.data.registry import data_registry
    from checkov.terraform.checks.module.registry import module_registry
    from checkov.terraform.checks.provider.registry import provider_registry
    from checkov.terraform.checks.resource.registry import resource_registry

    base = Path(checkov.__file__).resolve().parent
    out: dict[str, tuple[str, list[str], str]] = {}

    def add(check, path: str) -> None:
        rel = Path(path).resolve().relative_to(base).as_posix()
        out.setdefault(check.id, (" ".join(check.name.split()), _categories(check), rel))

    for reg in (
        resource_registry,
        data_registry,
        provider_registry,
        module_registry,
        cfn_registry,
        k8s_registry,
    ):
        for _, check in reg.all_checks():
            add(check, inspect.getfile(check.__class__))
    for fw in ("terraform", "cloudformation", "kubernetes"):
        graph = get_graph_checks_registry(fw)
        graph.load_checks()
        for check in graph.checks:
            add(check, check.check_path or inspect.getfile(check.__class__))
    return out


def build() -> dict:
    from checkov.version import version

    policies = {}
    for cid, (name, cats, src) in sorted(installed_policies().items()):
        if cid in OVERRIDES:
            sev, why = OVERRIDES[cid][0], f"reviewed: {OVERRIDES[cid][1]}"
        else:
            sev, why = classify(name, cats)
        policies[cid] = {"severity": sev, "category": our_category(name, cats), "why": why, "source": src}
    return {
        "checkov_version": version,
        "frameworks": list(FRAMEWORKS),
        "default_severity": DEFAULT_SEVERITY,
        "default_category": "governance",
        # How many installed policy ids may be absent from this file before the test fails
        # (0 when it was made: regenerate after upgrading Checkov).
        "missing_allowed": 0,
        "generated_by": "rules/checkov/make_severities.py",
        "policies": policies,
    }


def main() -> None:
    doc = build()
    OUT.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for p in doc["policies"].values():
        counts[p["severity"]] = counts.get(p["severity"], 0) + 1
    at_default = sum(p["why"] == "default" for p in doc["policies"].values())
    print(
        f"{len(doc['policies'])} policies from Checkov {doc['checkov_version']}: {counts}; {at_default} at default"
    )


if __name__ == "__main__":
    main()
