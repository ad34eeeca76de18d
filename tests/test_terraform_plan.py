"""The Terraform plan JSON front-end: planned values, after_unknown -> Ref/Unresolved,
after_sensitive, modules, and bad input as ScanErrors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.collect.iac.discover import Limits
from scanner.collect.iac.terraform_plan import load, parse_plan
from scanner.model.resource import Ref, Relation, Unresolved

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_EXAMPLE = REPO / "rules/aws/examples/sagemaker-notebook-no-direct-internet"
SECRET = "hunter2-very-secret"


def _res(address, rtype, name, values, index=None):
    r = {"address": address, "mode": "managed", "type": rtype, "name": name, "values": values}
    if index is not None:
        r["index"] = index
    return r


def _change(address, unknown=None, sensitive=None, actions=("create",)):
    return {
        "address": address,
        "change": {
            "actions": list(actions),
            "after_unknown": unknown or {},
            "after_sensitive": sensitive or {},
        },
    }


PLAN = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "resources": [
                _res(
                    "aws_iam_role.exec",
                    "aws_iam_role",
                    "exec",
                    {
                        "name": "exec",
                        "assume_role_policy": json.dumps(
                            {
                                "Statement": [
                                    {
                                        "Effect": "Allow",
                                        "Action": "sts:AssumeRole",
                                        "Principal": {"Service": "lambda.amazonaws.com"},
                                    }
                                ]
                            }
                        ),
                    },
                ),
                _res(
                    "aws_lambda_function.f[0]",
                    "aws_lambda_function",
                    "f",
                    {
                        "function_name": "f0",
                        "environment": [{"variables": {"DB_PASSWORD": SECRET, "MODE": "x"}}],
                        "tracing_config": [{"mode": "Active"}],
                    },
                    index=0,
                ),
                _res(
                    "aws_sagemaker_notebook_instance.nb",
                    "aws_sagemaker_notebook_instance",
                    "nb",
                    {"name": "nb", "direct_internet_access": "Disabled"},
                ),
                _res(
                    "aws_iam_role_policy_attachment.a",
                    "aws_iam_role_policy_attachment",
                    "a",
                    {"role": "exec"},
                ),
                _res("aws_s3_bucket.gone", "aws_s3_bucket", "gone", {"bucket": "gone"}),
            ],
            "child_modules": [
                {
                    "address": "module.data",
                    "resources": [
                        _res("module.data.aws_s3_bucket.b", "aws_s3_bucket", "b", {"bucket": "bkt"}),
                        _res(
                            "module.data.aws_s3_bucket_versioning.v",
                            "aws_s3_bucket_versioning",
                            "v",
                            {"versioning_configuration": [{"status": "Enabled"}]},
                        ),
                    ],
                }
            ],
        }
    },
    "resource_changes": [
        _change("aws_iam_role.exec", {"arn": True, "id": True, "inline_policy": True}),
        _change(
            "aws_lambda_function.f[0]",
            {"arn": True, "role": True},
            {"environment": [{"variables": {"DB_PASSWORD": True}}]},
        ),
        _change("aws_sagemaker_notebook_instance.nb", {"role_arn": True, "kms_key_id": True, "url": True}),
        _change("aws_iam_role_policy_attachment.a", {"policy_arn": True}),
        _change("aws_s3_bucket.gone", actions=("delete",)),
        _change("module.data.aws_s3_bucket_versioning.v", {"bucket": True}),
    ],
    "configuration": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_lambda_function.f",
                    "expressions": {"role": {"references": ["aws_iam_role.exec.arn", "aws_iam_role.exec"]}},
                },
                {
                    "address": "aws_sagemaker_notebook_instance.nb",
                    "expressions": {
                        "role_arn": {
                            "references": [
                                "aws_iam_role.exec[0].arn",
                                "aws_iam_role.exec[0]",
                                "aws_iam_role.exec",
                            ]
                        },
                        "kms_key_id": {"references": ["var.kms"]},
                    },
                },
                {
                    "address": "aws_iam_role_policy_attachment.a",
                    "expressions": {
                        "policy_arn": {
                            "references": ["data.aws_iam_policy.admin.arn", "data.aws_iam_policy.admin"]
                        }
                    },
                },
            ],
            "module_calls": {
                "data": {
                    "module": {
                        "resources": [
                            {
                                "address": "aws_s3_bucket_versioning.v",
                                "expressions": {
                                    "bucket": {"references": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]}
                                },
                            },
                        ]
                    }
                }
            },
        }
    },
}


def test_parse_plan_builds_terraform_records():
    recs = {r.address: r for r in parse_plan(PLAN, "plans/p.json", "plans")}
    assert "aws_s3_bucket.gone" not in recs  # being destroyed
    f = recs["aws_lambda_function.f[0]"]
    assert f.name == "f[0]" and f.module == "" and f.dialect == "terraform-plan" and f.root == "plans"
    assert f.uid == "tf:plans:aws_lambda_function.f[0]"
    assert f.config["role"] == Ref("tf:plans:aws_iam_role.exec", "arn")
    assert "arn" not in f.config  # computed, never written: absent, as the HCL front-end has it
    nb = recs["aws_sagemaker_notebook_instance.nb"].config
    assert nb["role_arn"] == Ref("tf:plans:aws_iam_role.exec[0]", "arn")
    assert isinstance(nb["kms_key_id"], Unresolved)  # unknown, and not a resource reference
    v = recs["module.data.aws_s3_bucket_versioning.v"]
    assert v.module == "module.data" and v.name == "v"
    assert v.config["bucket"] == Ref("tf:plans:module.data.aws_s3_bucket.b", "id")


def test_load_normalizes_with_relations_folding_and_scrubbed_sensitive_values(tmp_path):
    p = tmp_path / "x.plan.json"
    p.write_text(json.dumps(PLAN))
    batch = load([p], tmp_path, Limits())
    assert batch.dialect == "terraform-plan" and batch.files == 1 and not batch.errors
    res = {r.uid: r for r in batch.resources}
    fn = res["tf:aws_lambda_function.f[0]"]
    assert fn.source.file == "x.plan.json" and fn.source.dialect == "terraform-plan"
    assert fn.source.start_line is None
    assert fn.attrs["environment"]["MODE"] == "x"
    assert fn.attrs["environment"]["DB_PASSWORD"].startswith("[REDACTED:")
    assert fn.attrs["secrets"][0]["path"] == "environment.DB_PASSWORD"
    assert fn.attrs["tracing_mode"] == "Active"
    assert SECRET not in json.dumps(fn.to_json())
    assert Relation(fn.uid, "execution_role", "tf:aws_iam_role.exec", "role_arn") in batch.relations
    role = res["tf:aws_iam_role.exec"]
    assert role.attrs["inline_policies"] == []
    # an attachment whose policy comes from a data source: a Ref the link stage cannot resolve
    assert role.attrs["managed_policy_arns"] == [Ref("tf:data.aws_iam_policy.admin", "arn")]
    assert res["tf:module.data.aws_s3_bucket.b"].attrs["versioning"] is True
    nb = res["tf:aws_sagemaker_notebook_instance.nb"]
    assert nb.attrs["direct_internet_access"] is False
    assert nb.provenance["kms_key_id"] == "unresolved"


@pytest.mark.parametrize(
    "content, why",
    [
        ("{not json", "not valid JSON"),
        ('{"format_version": "1.0"}', "not a Terraform plan"),
        ("[1, 2]", "not a Terraform plan"),
        (
            '{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"type": "x"}]}}}',
            "without an address",
        ),
    ],
)
def test_bad_plans_become_scan_errors(tmp_path, content, why):
    good = tmp_path / "good.plan.json"
    good.write_text(json.dumps(PLAN))
    bad = tmp_path / "bad.plan.json"
    bad.write_text(content)
    batch = load([bad, good], tmp_path, Limits())
    assert len(batch.errors) == 1
    err = batch.errors[0]
    assert err.file == "bad.plan.json" and why in err.reason and err.source == "terraform-plan"
    assert batch.resources  # the good plan is still read


def test_oversized_plan_is_an_error(tmp_path):
    p = tmp_path / "big.plan.json"
    p.write_text(json.dumps(PLAN))
    batch = load([p], tmp_path, Limits(max_file_bytes=10))
    assert "over the 10-byte limit" in batch.errors[0].reason and not batch.resources


@pytest.mark.skipif(
    not (NOTEBOOK_EXAMPLE / "notebooks.plan.json").exists(), reason="plan fixture not generated"
)
def test_generated_example_plan_matches_the_hcl_uids():
    plan = NOTEBOOK_EXAMPLE / "notebooks.plan.json"
    batch = load([plan], NOTEBOOK_EXAMPLE, Limits())
    assert not batch.errors
    got = {r.uid: r.attrs["direct_internet_access"] for r in batch.resources}
    assert got == {
        "tf:aws_sagemaker_notebook_instance.fail_default_internet": True,
        "tf:aws_sagemaker_notebook_instance.fail_enabled": True,
        "tf:aws_sagemaker_notebook_instance.pass_disabled": False,
    }
    try:
        from scanner.collect.iac.terraform import load as load_hcl
    except ImportError:
        return
    hcl = load_hcl([NOTEBOOK_EXAMPLE / "notebooks.tf"], NOTEBOOK_EXAMPLE, Limits())
    assert set(got) <= {r.uid for r in hcl.resources}
    assert "/tmp/" not in plan.read_text()


def _output(*refs):
    return {"expression": {"references": list(refs)}}


def test_module_outputs_in_a_plan_are_refs_with_the_hcl_uids(tmp_path):
    """`role = module.iam.role_arn`, unknown in a plan, is the Ref of the module's role,
    with the uid the HCL front-end gives the same configuration (nested and for_each
    modules too); an output naming no resource, or an expanded call without its key,
    stays unresolved."""
    bucket_module = {
        "resources": [{"address": "aws_s3_bucket.b", "expressions": {}}],
        "outputs": {
            "arn": _output("aws_s3_bucket.b.arn", "aws_s3_bucket.b"),
            "label": {"expression": {"constant_value": "x"}},
        },
    }
    refs = {
        "role": ["module.iam.role_arn", "module.iam"],
        "nested": ["module.outer.arn", "module.outer"],
        "prod": ['module.per_env["prod"].arn', 'module.per_env["prod"]', "module.per_env"],
        "any_env": ["module.per_env"],
        "label": ["module.outer.label", "module.outer"],
    }
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [_res("aws_x.uses", "aws_x", "uses", {"name": "u"})],
                "child_modules": [
                    {
                        "address": "module.iam",
                        "resources": [_res("module.iam.aws_iam_role.r", "aws_iam_role", "r", {"name": "r"})],
                    }
                ],
            }
        },
        "resource_changes": [_change("aws_x.uses", {k: True for k in refs})],
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_x.uses",
                        "expressions": {k: {"references": v} for k, v in refs.items()},
                    }
                ],
                "module_calls": {
                    "iam": {
                        "module": {
                            "resources": [{"address": "aws_iam_role.r", "expressions": {}}],
                            "outputs": {"role_arn": _output("aws_iam_role.r.arn", "aws_iam_role.r")},
                        }
                    },
                    "outer": {
                        "module": {
                            "module_calls": {"inner": {"module": bucket_module}},
                            "outputs": {
                                "arn": _output("module.inner.arn", "module.inner"),
                                "label": _output("module.inner.label", "module.inner"),
                            },
                        }
                    },
                    "per_env": {
                        "for_each_expression": {"constant_value": ["dev", "prod"]},
                        "module": bucket_module,
                    },
                },
            }
        },
    }
    (uses,) = [r for r in parse_plan(plan, "env/plan.json", "env") if r.address == "aws_x.uses"]
    c = uses.config
    role = Ref("tf:env:module.iam.aws_iam_role.r", "arn")
    nested = Ref("tf:env:module.outer.module.inner.aws_s3_bucket.b", "arn")
    prod = Ref('tf:env:module.per_env["prod"].aws_s3_bucket.b', "arn")
    assert (c["role"], c["nested"], c["prod"]) == (role, nested, prod)
    assert isinstance(c["any_env"], Unresolved) and isinstance(c["label"], Unresolved)

    # the HCL front-end gives the same configuration the same uids
    from scanner.collect.iac.terraform import load_tf_resources

    files = {
        "env/main.tf": """
module "iam" { source = "../modules/iam" }
module "outer" { source = "../modules/outer" }
module "per_env" {
  source   = "../modules/bucket"
  for_each = toset(["dev", "prod"])
}
resource "aws_x" "uses" {
  role   = module.iam.role_arn
  nested = module.outer.arn
  prod   = module.per_env["prod"].arn
}
""",
        "modules/iam/main.tf": 'resource "aws_iam_role" "r" {}\noutput "role_arn" { value = aws_iam_role.r.arn }\n',
        "modules/outer/main.tf": 'module "inner" { source = "../bucket" }\noutput "arn" { value = module.inner.arn }\n',
        "modules/bucket/main.tf": 'resource "aws_s3_bucket" "b" {}\noutput "arn" { value = aws_s3_bucket.b.arn }\n',
    }
    hcl_root = tmp_path / "hcl"
    for name, text in files.items():
        (hcl_root / name).parent.mkdir(parents=True, exist_ok=True)
        (hcl_root / name).write_text(text)
    resources, errors, _ = load_tf_resources(sorted(hcl_root.rglob("*.tf")), hcl_root)
    assert not errors
    (hcl_uses,) = [r for r in resources if r.address == "aws_x.uses"]
    assert hcl_uses.config == {"role": role, "nested": nested, "prod": prod}
