"""The tag policy: parsing and validation (with lines), the default, custom policies, the
config-aware rule path, Terraform provider default tags (HCL and plan) and the reports'
"Untagged GPU capacity" section."""

from __future__ import annotations

import textwrap

import pytest

from reports.html import build_view
from reports.json_report import to_dict
from reports.markdown import render as render_md
from rules.loader import Catalogue
from rules.sdk import fail, ok, rule
from scanner.engine import ScanOptions, evaluate, scan_iac
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource
from scanner.normalize.terraform.mapping import normalize
from scanner.suppress import Config, ConfigError, load_config
from scanner.tag_policy import DEFAULT_TAG_POLICY, policy_of, tag_value

GPU_RULE = "gpu-capacity-cost-attribution-tagged"
REQUIRED_RULE = "resources-required-tags"
VALUES_RULE = "tag-values-allowed"
TAG_RULES = [GPU_RULE, REQUIRED_RULE, VALUES_RULE]


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def config_from(tmp_path, text: str) -> Config:
    return load_config(write(tmp_path / ".mlposture.yaml", text))


def scan(paths, config: Config | None = None, rules=TAG_RULES):
    result, inv = scan_iac(paths, ScanOptions(include_rules=rules, config=config))
    assert not result.errors, result.errors
    return result, inv


def verdicts(result, inv) -> dict[tuple[str, str], str]:
    """(rule id, resource name) -> status of every failing/unknown finding."""
    return {(f.rule_id, inv.get(f.resource.uid).name): f.status for f in result.findings}


# -- parsing -----------------------------------------------------------------------------

FULL = """
fail_on: high
tag_policy:
  gpu:
    required: [team, cost-center]
  resources:
    - types: [aws.sagemaker.endpoint_config, gcp.vertex.endpoint]
      required: [team]
    - types: "*"
      required: owner
  values:
    data-classification: {allowed: [public, internal, confidential, restricted]}
    cost-center: {pattern: "^cc-[0-9]{4}$"}
"""


def test_full_policy_parses(tmp_path):
    cfg = config_from(tmp_path, FULL)
    p = cfg.tag_policy
    assert cfg.fail_on == "high"
    assert p.gpu_required == ("team", "cost-center")
    assert p.required_for("aws.sagemaker.endpoint_config") == ["team", "owner"]
    assert p.required_for("k8s.workload") == ["owner"]
    assert p.resources[0].line == 6
    assert p.values["data-classification"].check("secret") == (
        "is not one of public, internal, confidential, restricted"
    )
    assert p.values["cost-center"].check("cc-1234") is None
    assert p.values["cost-center"].check("1234") == "does not match ^cc-[0-9]{4}$"
    assert policy_of(cfg) is p


def test_no_tag_policy_means_the_default(tmp_path):
    cfg = config_from(tmp_path, "fail_on: high\n")
    assert cfg.tag_policy is None
    assert policy_of(cfg) is DEFAULT_TAG_POLICY
    assert policy_of(None) is DEFAULT_TAG_POLICY
    assert DEFAULT_TAG_POLICY.gpu_required == ("team",)
    assert DEFAULT_TAG_POLICY.required_for("k8s.workload") == ["team"]
    assert DEFAULT_TAG_POLICY.required_for("aws.s3.bucket") == []


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("tag_policy:\n  gpus: {required: [team]}\n", 2, "unknown key 'gpus'"),
        ("tag_policy:\n  gpu: {required: [team], optional: [x]}\n", 2, "unknown key 'optional' in gpu"),
        ("tag_policy:\n  gpu: [team]\n", 2, "gpu must be a mapping"),
        ("tag_policy:\n  gpu: {}\n", 2, "gpu needs 'required'"),
        ("tag_policy:\n  gpu:\n    required: []\n", 3, "gpu.required must be a non-empty list"),
        ("tag_policy:\n  gpu:\n    required: [team, 3]\n", 3, "not 3"),
        ("tag_policy:\n  resources: {types: [x]}\n", 2, "resources must be a list"),
        (
            "tag_policy:\n  resources:\n    - types: [aws.sagemaker.notebook]\n      required: [team]\n",
            3,
            "unknown resource type 'aws.sagemaker.notebook'",
        ),
        ("tag_policy:\n  resources:\n    - required: [team]\n", 3, "resources[0] needs 'types'"),
        (
            "tag_policy:\n  resources:\n    - types: ['*']\n      required: [team]\n      tags: [x]\n",
            5,
            "unknown key 'tags' in resources[0]",
        ),
        ("tag_policy:\n  values: [team]\n", 2, "values must be a mapping"),
        ("tag_policy:\n  values:\n    team: {}\n", 3, "values.team needs 'allowed' or 'pattern'"),
        ("tag_policy:\n  values:\n    team: {regex: x}\n", 3, "unknown key 'regex' in values.team"),
        (
            "tag_policy:\n  values:\n    team:\n      pattern: '^(a'\n",
            4,
            "values.team.pattern is not a valid regular expression",
        ),
        (
            "tag_policy:\n  values:\n    team:\n      allowed: a-team\n",
            4,
            None,
        ),  # one string is a list of one
        ("tag_policy: [team]\n", 1, "the section must be a mapping"),
    ],
)
def test_validation_errors_name_the_line(tmp_path, body, line, words):
    path = write(tmp_path / ".mlposture.yaml", body)
    if words is None:
        assert load_config(path).tag_policy.values["team"].allowed == ("a-team",)
        return
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert f"{path}:{line}: tag_policy: " in str(e.value)
    assert words in str(e.value)


def test_a_bad_policy_exits_2(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    write(tmp_path / "main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    cfg = write(tmp_path / "c.yaml", "tag_policy:\n  values:\n    team: {pattern: '['}\n")
    out = CliRunner().invoke(main, ["scan", "iac", str(tmp_path / "main.tf"), "--config", str(cfg)])
    assert out.exit_code == 2, out.output
    assert ":3:" in out.output


# -- the rules under default and custom policies -----------------------------------------

NOTEBOOKS = """
resource "aws_sagemaker_notebook_instance" "gpu_bare" {
  name          = "gpu-bare"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.p4d.24xlarge"
  tags          = { team = "recsys" }
}

resource "aws_sagemaker_notebook_instance" "cpu" {
  name          = "cpu"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.t3.medium"
  tags          = { team = "Rec Sys", data-classification = "secret" }
}

resource "aws_s3_bucket" "data" {
  bucket = "data"
  tags   = { team = "recsys", cost-center = "cc-12" }
}
"""


def test_default_policy(tmp_path):
    result, inv = scan([write(tmp_path / "main.tf", NOTEBOOKS)])
    assert verdicts(result, inv) == {(VALUES_RULE, "cpu"): "fail"}
    [f] = result.findings
    assert f.severity == "low" and f.category == "governance"
    assert f.evidence.path == "tags.team" and f.evidence.value == "Rec Sys"
    assert f.location.start_line == 12  # the tags line


def test_custom_policy(tmp_path):
    cfg = config_from(tmp_path, FULL)
    result, inv = scan([write(tmp_path / "tf" / "main.tf", NOTEBOOKS)], cfg)
    got = verdicts(result, inv)
    assert got == {
        (GPU_RULE, "gpu_bare"): "fail",  # no cost-center
        (REQUIRED_RULE, "gpu_bare"): "fail",  # no owner ("*")
        (REQUIRED_RULE, "cpu"): "fail",
        (REQUIRED_RULE, "data"): "fail",
        (VALUES_RULE, "cpu"): "fail",  # data-classification = secret; team is not constrained now
        (VALUES_RULE, "data"): "fail",  # cost-center = cc-12
    }
    msgs = {(f.rule_id, f.resource.name): f.message for f in result.findings}
    assert msgs[(GPU_RULE, "gpu_bare")].endswith(
        "GPU-backed on ml.p4d.24xlarge but missing required tags: cost-center"
    )
    assert msgs[(REQUIRED_RULE, "gpu_bare")].endswith("missing required tags: owner")
    assert msgs[(REQUIRED_RULE, "cpu")].endswith("missing required tags: owner")


def test_rules_see_a_default_config_when_none_is_given():
    r = Resource("k8s:c/ns/Pod/p", "k8s.workload", "k8s", "p", attrs={"gpu": True, "kind": "Pod"})
    from rules.loader import load_catalogue

    cat = load_catalogue().select(include=[GPU_RULE])
    findings, checks, passed = evaluate(_inventory(r), cat)  # no config at all
    assert [f.rule_id for f in findings] == [GPU_RULE] and checks == 1 and passed == 0


def _inventory(*resources: Resource) -> Inventory:
    inv = Inventory()
    inv.extend(resources)
    inv.link()
    return inv


def test_engine_passes_config_to_rules_that_ask():
    seen = []

    @rule(
        id="test-config-aware",
        title="A test rule that reads the config",
        severity="low",
        category="governance",
        applies_to=["k8s.workload"],
        remediation={"cli": "n/a"},
    )
    def config_aware(r, inventory, *, config):
        seen.append((r.name, inventory is not None, config))
        return fail("policy says no") if config.fail_on == "low" else ok()

    @rule(
        id="test-config-positional",
        title="A test rule that takes config third",
        severity="low",
        category="governance",
        applies_to=["k8s.workload"],
        remediation={"cli": "n/a"},
    )
    def positional(r, config):  # `config` alone: not the inventory
        seen.append(("positional", config.fail_on))
        return ok()

    assert config_aware.rule.wants_config and config_aware.rule.wants_inventory
    assert positional.rule.wants_config and not positional.rule.wants_inventory
    r = Resource("k8s:c/ns/Pod/p", "k8s.workload", "k8s", "p", attrs={"kind": "Pod"})
    cfg = Config(fail_on="low")
    findings, _, passed = evaluate(_inventory(r), Catalogue([config_aware.rule, positional.rule]), cfg)
    assert [f.message for f in findings] == ['Kubernetes Pod "p": policy says no'] and passed == 1
    assert seen == [("p", True, cfg), ("positional", "low")]


# -- Terraform provider default tags -----------------------------------------------------

DEFAULTS_ROOT = """
variable "tags" {
  type = map(string)
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { team = "platform", env = "prod" }
  }
}

provider "aws" {
  alias  = "research"
  region = "us-west-2"
  default_tags {
    tags = { team = "research" }
  }
}

provider "aws" {
  alias  = "bare"
  region = "eu-west-1"
}

provider "google" {
  default_labels = { team = "data" }
}

resource "aws_sagemaker_notebook_instance" "inherits" {
  name          = "inherits"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
}

resource "aws_sagemaker_notebook_instance" "overrides" {
  name          = "overrides"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
  tags          = { team = "ranking" }
}

resource "aws_sagemaker_notebook_instance" "aliased" {
  provider      = aws.research
  name          = "aliased"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
}

resource "aws_sagemaker_notebook_instance" "bare" {
  provider      = aws.bare
  name          = "bare"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
}

resource "aws_sagemaker_notebook_instance" "unresolved_map" {
  provider      = aws.bare
  name          = "unresolved-map"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
  tags          = var.tags
}

resource "google_vertex_ai_endpoint" "labelled" {
  name         = "labelled"
  display_name = "labelled"
  location     = "us-central1"
  labels       = { app = "chat" }
}

module "implicit" {
  source = "./modules/nb"
}

module "mapped" {
  source    = "./modules/nb"
  providers = { aws = aws.research }
}

module "mapped_bare" {
  source    = "./modules/nb"
  providers = {
    aws = aws.bare
  }
}
"""

DEFAULTS_MODULE = """
resource "aws_sagemaker_notebook_instance" "nb" {
  name          = "nb"
  role_arn      = "arn:aws:iam::123456789012:role/nb"
  instance_type = "ml.g5.xlarge"
  tags          = { purpose = "module" }
}
"""


def test_hcl_provider_default_tags(tmp_path):
    root = write(tmp_path / "main.tf", DEFAULTS_ROOT)
    write(tmp_path / "modules" / "nb" / "main.tf", DEFAULTS_MODULE)
    result, inv = scan([root, tmp_path / "modules" / "nb" / "main.tf"])
    by_uid = {r.uid: r for r in inv.resources.values()}
    tags = {uid.split(":", 1)[1]: r.tags for uid, r in by_uid.items()}
    assert tags == {
        "aws_sagemaker_notebook_instance.inherits": {"team": "platform", "env": "prod"},
        "aws_sagemaker_notebook_instance.overrides": {"team": "ranking", "env": "prod"},
        "aws_sagemaker_notebook_instance.aliased": {"team": "research"},
        "aws_sagemaker_notebook_instance.bare": {},
        "aws_sagemaker_notebook_instance.unresolved_map": {},
        "google_vertex_ai_endpoint.labelled": {"team": "data", "app": "chat"},
        "module.implicit.aws_sagemaker_notebook_instance.nb": {
            "team": "platform",
            "env": "prod",
            "purpose": "module",
        },
        "module.mapped.aws_sagemaker_notebook_instance.nb": {"team": "research", "purpose": "module"},
        "module.mapped_bare.aws_sagemaker_notebook_instance.nb": {"purpose": "module"},
    }
    inherits = by_uid["tf:aws_sagemaker_notebook_instance.inherits"]
    overrides = by_uid["tf:aws_sagemaker_notebook_instance.overrides"]
    assert inherits.provenance_of("tags.team") == "default"
    assert overrides.provenance_of("tags.team") == "explicit"
    assert overrides.provenance_of("tags.env") == "default"
    assert verdicts(result, inv) == {
        (GPU_RULE, "bare"): "fail",
        (GPU_RULE, "unresolved_map"): "unknown",
        (VALUES_RULE, "unresolved_map"): "unknown",
        (GPU_RULE, "nb"): "fail",  # module.mapped_bare
    }


def test_unresolved_tag_value_is_present_but_unknown(tmp_path):
    tf = write(
        tmp_path / "main.tf",
        """
        variable "team" {
          type = string
        }
        resource "aws_sagemaker_notebook_instance" "nb" {
          name          = "nb"
          role_arn      = "arn:aws:iam::123456789012:role/nb"
          instance_type = "ml.g5.xlarge"
          tags          = { team = var.team }
        }
        """,
    )
    result, inv = scan([tf])
    [r] = inv.resources.values()
    assert r.provenance_of("tags.team") == "unresolved" and tag_value(r, "team") == ("unresolved", None)
    assert verdicts(result, inv) == {(VALUES_RULE, "nb"): "unknown"}


def _plan_resource(address: str, rtype: str, values: dict) -> dict:
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": address.split(".")[-1],
        "values": values,
    }


def test_plan_prefers_tags_all_and_terraform_labels():
    from scanner.collect.iac.terraform_plan import parse_plan

    nb = {"name": "nb", "role_arn": "arn:aws:iam::1:role/r", "instance_type": "ml.g5.xlarge"}
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    _plan_resource(
                        "aws_sagemaker_notebook_instance.merged",
                        "aws_sagemaker_notebook_instance",
                        {**nb, "tags": {"app": "x"}, "tags_all": {"app": "x", "team": "platform"}},
                    ),
                    _plan_resource(
                        "aws_sagemaker_notebook_instance.plain",
                        "aws_sagemaker_notebook_instance",
                        {**nb, "tags": None, "tags_all": {}},
                    ),
                    _plan_resource(
                        "aws_sagemaker_notebook_instance.later",
                        "aws_sagemaker_notebook_instance",
                        {**nb, "tags": {"app": "x"}},
                    ),
                    _plan_resource(
                        "google_vertex_ai_endpoint.ep",
                        "google_vertex_ai_endpoint",
                        {
                            "name": "ep",
                            "location": "us-central1",
                            "labels": {"app": "chat"},
                            "terraform_labels": {"app": "chat", "team": "data"},
                            "effective_labels": {"app": "chat", "team": "data", "goog-x": "y"},
                        },
                    ),
                ]
            }
        },
        # `tags_all` unknown (the AWS provider does that when `tags` is unset): the
        # provider configuration's default_tags stand in
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "expressions": {"default_tags": [{"tags": {"constant_value": {"team": "platform"}}}]},
                }
            },
            "root_module": {
                "resources": [
                    {"address": "aws_sagemaker_notebook_instance.later", "provider_config_key": "aws"},
                    {"address": "aws_sagemaker_notebook_instance.plain", "provider_config_key": "aws"},
                ]
            },
        },
        "resource_changes": [
            {
                "address": "aws_sagemaker_notebook_instance.later",
                "change": {"actions": ["create"], "after_unknown": {"tags_all": True}},
            }
        ],
    }
    batch = normalize(parse_plan(plan, "plan.json"), "terraform-plan")
    by_name = {r.name: r for r in batch.resources}
    assert by_name["merged"].tags == {"app": "x", "team": "platform"}
    assert by_name["merged"].provenance_of("tags.team") == "default"
    assert by_name["merged"].provenance_of("tags.app") == "explicit"
    assert by_name["plain"].tags == {}  # tags_all is known (and empty): it wins
    assert by_name["later"].tags == {"app": "x", "team": "platform"}
    assert by_name["later"].provenance_of("tags.team") == "default"
    assert by_name["ep"].tags == {"app": "chat", "team": "data"}


def test_generated_plan_carries_provider_default_tags():
    """The rule example's plan was made by terraform from an aliased provider's default_tags."""
    from pathlib import Path

    plan = Path(__file__).resolve().parents[1] / "rules/aws/examples" / GPU_RULE / "notebooks.plan.json"
    result, inv = scan([plan], rules=[GPU_RULE])
    r = next(r for r in inv.resources.values() if r.name == "pass_gpu_tagged_by_provider")
    assert r.tags == {"project": "ranking", "team": "recsys"}
    assert r.provenance_of("tags.team") == "default"


# -- reports -----------------------------------------------------------------------------


def test_reports_count_untagged_gpu_capacity(tmp_path):
    k8s = write(
        tmp_path / "gpu.k8s.yaml",
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: "<b>pod</b>"
        spec:
          containers:
            - name: c
              image: cuda
              resources:
                limits: {nvidia.com/gpu: 1}
        """,
    )
    tf = write(tmp_path / "main.tf", NOTEBOOKS.replace('tags          = { team = "recsys" }', ""))
    result, _ = scan([k8s, tf])
    md = render_md(result)
    assert "### Untagged GPU capacity (2 resources)" in md
    assert "| k8s\\.workload | 1 |" in md and "| aws\\.sagemaker\\.notebook\\_instance | 1 |" in md
    view = build_view(to_dict(result))
    assert view["untagged_gpu"] == [("aws.sagemaker.notebook_instance", 1), ("k8s.workload", 1)]
    from reports.html import render as render_html

    html = render_html(result)
    assert 'id="untagged-gpu"' in html and "<b>pod</b>" not in html

    clean, _ = scan([write(tmp_path / "clean" / "main.tf", NOTEBOOKS)])
    assert "Untagged GPU capacity" not in render_md(clean)
    assert 'id="untagged-gpu"' not in render_html(clean)
