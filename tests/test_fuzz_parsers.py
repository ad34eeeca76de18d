"""Property tests for every IaC reader: no input crashes the scanner, and every input that
is not read becomes a scan error naming the file, the reason and what went unscanned.

Inputs are mutations of valid seed documents (cut, spliced, with bytes flipped), arbitrary
text and bytes, and JSON-shaped values dropped into valid skeletons. The example budget
is small in CI; `MLPOSTURE_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz_parsers.py` (or
`bench/fuzz.sh`, every fuzz file) runs a long campaign.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.collect.iac import collect_iac
from scanner.collect.iac.discover import Limits
from scanner.engine import build_inventory

EXAMPLES = int(os.environ.get("MLPOSTURE_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

SEED_TF = """variable "env" { default = "dev" }
locals { name = "${var.env}-nb" }
resource "aws_iam_role" "r" {
  name               = local.name
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { Service = "sagemaker.amazonaws.com" } }] })
}
resource "aws_sagemaker_notebook_instance" "nb" {
  name                   = local.name
  role_arn               = aws_iam_role.r.arn
  instance_type          = "ml.t3.medium"
  direct_internet_access = var.env == "prod" ? "Disabled" : "Enabled"
  tags = { for k, v in { team = "ml" } : k => upper(v) }
}
"""

SEED_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: sagemaker.amazonaws.com}, Action: sts:AssumeRole}]
  Notebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: !GetAtt Role.Arn
      DirectInternetAccess: !If [IsProd, Disabled, Enabled]
      NotebookInstanceName: !Sub "${Env}-nb"
"""

SEED_K8S = """apiVersion: v1
kind: Namespace
metadata: {name: ml}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: serve, namespace: ml}
spec:
  selector: {matchLabels: {app: serve}}
  template:
    metadata: {labels: {app: serve}}
    spec:
      containers:
        - name: s
          image: nvcr.io/nvidia/tritonserver:24.01-py3
          resources: {limits: {nvidia.com/gpu: "1"}}
          securityContext: {privileged: true}
"""

SEED_PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.9.0",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_sagemaker_notebook_instance.nb",
                    "mode": "managed",
                    "type": "aws_sagemaker_notebook_instance",
                    "name": "nb",
                    "values": {
                        "name": "nb",
                        "instance_type": "ml.t3.medium",
                        "direct_internet_access": "Enabled",
                    },
                }
            ]
        }
    },
    "resource_changes": [
        {
            "address": "aws_sagemaker_notebook_instance.nb",
            "mode": "managed",
            "type": "aws_sagemaker_notebook_instance",
            "name": "nb",
            "change": {
                "actions": ["create"],
                "after": {"name": "nb", "instance_type": "ml.t3.medium", "direct_internet_access": "Enabled"},
                "after_unknown": {"arn": True, "role_arn": True},
            },
        }
    ],
    "configuration": {"root_module": {}},
}

# file name -> seed text, per dialect
SEEDS = {
    "main.tf": SEED_TF,
    "template.yaml": SEED_CFN,
    "deploy.yaml": SEED_K8S,
    "plan.json": json.dumps(SEED_PLAN, indent=1),
    "main.tf.json": json.dumps(
        {
            "variable": {"env": {"default": "dev"}},
            "resource": {
                "aws_sagemaker_notebook_instance": {
                    "nb": {"name": "${var.env}-nb", "instance_type": "ml.t3.medium", "role_arn": "arn:x"}
                }
            },
        },
        indent=1,
    ),
    "terraform.tfvars": 'env = "prod"\nsubnets = ["a", "b"]\n',
}


def _mutate(seed: str):
    """Cut, splice and flip: realistic damage to a valid document."""
    n = len(seed)
    cut = st.tuples(st.integers(0, n), st.integers(0, n)).map(lambda ab: seed[: min(ab)] + seed[max(ab) :])
    insert = st.tuples(st.integers(0, n), st.text(max_size=40)).map(
        lambda t: seed[: t[0]] + t[1] + seed[t[0] :]
    )
    truncate = st.integers(0, n).map(lambda i: seed[:i])
    dup = st.tuples(st.integers(0, n), st.integers(0, n)).map(
        lambda ab: seed[: max(ab)] + seed[min(ab) : max(ab)] + seed[max(ab) :]
    )
    return st.one_of(cut, insert, truncate, dup)


def scan_file(name: str, content: str | bytes):
    """Collect one file in a fresh tree; the scan must not raise."""
    root = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        p = root / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8", errors="surrogateescape")
        batches, found = collect_iac([root], limits=Limits())
        inv = build_inventory(batches)
        inv.to_json()  # everything read must serialize
        errors = list(found.errors) + [e for b in batches for e in b.errors]
        return inv, errors
    finally:
        shutil.rmtree(root, ignore_errors=True)


def assert_clear(errors) -> None:
    for e in errors:
        assert e.reason and e.reason.strip(), e
        assert e.unscanned, f"error without what it left unscanned: {e}"
        assert len(e.reason) < 5000, "an error message is bounded"


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_documents_are_read_cleanly(name):
    inv, errors = scan_file(name, SEEDS[name])
    assert not errors, errors
    assert len(inv) >= (0 if name.endswith(".tfvars") else 1)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_damaged_documents_never_crash(name):
    @FUZZ
    @given(_mutate(SEEDS[name]))
    def check(text):
        _, errors = scan_file(name, text)
        assert_clear(errors)

    check()


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_arbitrary_bytes_never_crash(name):
    @FUZZ
    @given(st.binary(max_size=400))
    def check(data):
        _, errors = scan_file(name, data)
        assert_clear(errors)

    check()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@FUZZ
@given(
    path=st.sampled_from(["change.after", "change.after_unknown", "change", "values", "top"]),
    value=JSON_VALUES,
)
def test_plan_with_odd_values_in_valid_places(path, value):
    plan = json.loads(json.dumps(SEED_PLAN))
    rc = plan["resource_changes"][0]
    if path == "change.after":
        rc["change"]["after"]["direct_internet_access"] = value
    elif path == "change.after_unknown":
        rc["change"]["after_unknown"] = value
    elif path == "change":
        rc["change"] = value
    elif path == "values":
        plan["planned_values"]["root_module"]["resources"][0]["values"] = value
    else:
        plan["resource_changes"] = value
    _, errors = scan_file("plan.json", json.dumps(plan))
    assert_clear(errors)


K8S_KINDS = [
    "Pod",
    "Deployment",
    "Job",
    "CronJob",
    "InferenceService",
    "RayCluster",
    "ClusterRole",
    "RoleBinding",
    "ServiceAccount",
    "Service",
    "ConfigMap",
    "NetworkPolicy",
    "PyTorchJob",
    "Secret",
]


@FUZZ
@given(kind=st.sampled_from(K8S_KINDS), spec=JSON_VALUES, meta=JSON_VALUES)
def test_kubernetes_objects_with_odd_shapes(kind, spec, meta):
    import yaml

    doc = {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": "x", "namespace": "ml", "labels": meta},
        "spec": spec,
        "rules": spec,
        "data": meta,
    }
    _, errors = scan_file("odd.yaml", yaml.safe_dump(doc))
    assert_clear(errors)


@FUZZ
@given(
    rtype=st.sampled_from(
        [
            "AWS::SageMaker::NotebookInstance",
            "AWS::IAM::Role",
            "AWS::Lambda::Function",
            "AWS::Serverless::Function",
            "AWS::S3::Bucket",
            "AWS::SageMaker::Endpoint",
        ]
    ),
    props=JSON_VALUES,
)
def test_cloudformation_resources_with_odd_properties(rtype, props):
    doc = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"R": {"Type": rtype, "Properties": props}}}
    _, errors = scan_file("template.json", json.dumps(doc))
    assert_clear(errors)


# ------------------------------------------------------------------ hostile, one at a time


def test_deeply_nested_json_plan_is_an_error():
    text = '{"format_version": "1.2", "planned_values": ' + "[" * 200_000 + "]" * 200_000 + "}"
    _, errors = scan_file("plan.json", text)
    assert errors and "plan.json" in (errors[0].file or "")
    assert_clear(errors)


def test_deeply_nested_terraform_json_is_an_error():
    text = '{"resource": ' + "[" * 200_000 + "]" * 200_000 + "}"
    _, errors = scan_file("main.tf.json", text)
    assert errors and "main.tf.json" in (errors[0].file or "")
    assert_clear(errors)


def test_deeply_nested_hcl_is_an_error_or_read():
    text = "locals {\n  x = " + "[" * 20_000 + "]" * 20_000 + "\n}\n"
    _, errors = scan_file("main.tf", text)
    assert_clear(errors)


def test_deeply_nested_yaml_is_an_error():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: " + "[" * 5000 + "]" * 5000 + "\n"
    _, errors = scan_file("deep.yaml", text)
    assert errors
    assert_clear(errors)


def test_a_million_element_list_is_bounded():
    # about 4 MB: under the size limit, so the element and depth limits must hold it
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: ml}\ndata:\n  k: v\nitems:\n"
        + ("- 1\n" * 1_000_000)
    )
    inv, errors = scan_file("big.yaml", text)
    assert_clear(errors)
    assert errors and "nodes" in errors[0].reason, errors


def test_non_utf8_terraform_is_an_error_and_the_rest_is_read(tmp_path):
    (tmp_path / "bad.tf").write_bytes(b'resource "aws_s3_bucket" "b" { bucket = "\xff\xfe" }\n')
    (tmp_path / "good.tf").write_text('resource "aws_s3_bucket" "ok" { bucket = "ok" }\n')
    batches, found = collect_iac([tmp_path])
    errors = list(found.errors) + [e for b in batches for e in b.errors]
    inv = build_inventory(batches)
    assert any(r.name == "ok" for r in inv.resources.values())
    assert_clear(errors)


def test_binary_file_with_a_yaml_name_is_not_ours():
    # files that are none of ours are ignored (a values file, a model card), never guessed at
    inv, errors = scan_file("model.yaml", bytes(range(256)) * 64)
    assert not errors and len(inv) == 0


def test_manifest_that_turns_binary_is_an_error():
    data = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n" + bytes(range(256)) * 64
    _, errors = scan_file("pod.yaml", data)
    assert errors and errors[0].file.endswith("pod.yaml")
    assert_clear(errors)
