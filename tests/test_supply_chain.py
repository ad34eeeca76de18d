"""Image references, model sources, and API Gateway routes to models (normalizers end to end
beyond the rule examples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.helpers.images import model_source_problem, parse_image
from scanner.engine import ScanOptions, scan_iac
from scanner.model.resource import Ref, Unresolved
from scanner.normalize.terraform.apigateway import classify, target_of

DIGEST = "sha256:" + "0123456789abcdef" * 4
EXAMPLES = Path(__file__).resolve().parents[1] / "rules" / "aws" / "examples"


@pytest.mark.parametrize(
    "ref, registry, repository, tag, digest",
    [
        ("nginx", "docker.io", "library/nginx", None, None),
        ("vllm/vllm-openai:v0.6.3", "docker.io", "vllm/vllm-openai", "v0.6.3", None),
        ("localhost:5000/m:1", "localhost:5000", "m", "1", None),
        (f"ghcr.io/o/r@{DIGEST}", "ghcr.io", "o/r", None, DIGEST),
        (
            f"nvcr.io/nvidia/tritonserver:24.08-py3@{DIGEST}",
            "nvcr.io",
            "nvidia/tritonserver",
            "24.08-py3",
            DIGEST,
        ),
    ],
)
def test_parse_image(ref, registry, repository, tag, digest):
    r = parse_image(ref)
    assert (r.registry, r.repository, r.tag, r.digest) == (registry, repository, tag, digest)


def test_pinning_and_latest():
    assert parse_image(f"x/y@{DIGEST}").pinned
    assert not parse_image("x/y@sha256:short").pinned
    assert parse_image("x/y").latest and parse_image("x/y:latest").latest
    assert not parse_image("x/y:1.0").latest and parse_image("x/y:1.0").mutable_tag
    assert parse_image("") is None and parse_image("${var.image}") is None


@pytest.mark.parametrize(
    "ref, private",
    [
        ("nginx:1.27", False),
        ("quay.io/o/r:1", False),
        ("public.ecr.aws/o/r:1", False),
        ("nvcr.io/nvidia/pytorch:24.01-py3", False),
        ("gcr.io/distroless/python3", False),
        ("gcr.io/my-project/serve:1", True),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:1", True),
        ("europe-west4-docker.pkg.dev/p/r/serve:1", True),
        ("harbor.corp.example/ml/serve:1", True),
    ],
)
def test_private_registries(ref, private):
    assert parse_image(ref).private is private


@pytest.mark.parametrize(
    "uri, bad",
    [
        ("http://models.example/m.pt", True),
        ("HTTP://models.example/m.pt", True),
        ("hf://meta-llama/Llama-3.1-8B", True),
        ("hf://meta-llama/Llama-3.1-8B@main", True),
        ("hf://meta-llama/Llama-3.1-8B@" + "a" * 40, False),
        ("https://huggingface.co/org/m/resolve/main/model.safetensors", True),
        ("https://huggingface.co/org/m/resolve/" + "b" * 40 + "/model.safetensors", False),
        ("s3://models/iris", False),
        ("gs://models/iris", False),
        ("pvc://models/iris", False),
        ("https://storage.googleapis.com/m/iris", False),
        (None, False),
    ],
)
def test_model_sources(uri, bad):
    assert (model_source_problem(uri) is not None) is bad


def test_classify_integration_targets():
    assert classify("AWS_PROXY", None) == "lambda"
    assert classify("MOCK", None) == "other"
    assert classify(
        "AWS", "arn:aws:apigateway:us-east-1:runtime.sagemaker:path//endpoints/e/invocations"
    ) == ("sagemaker")
    assert classify("AWS", "arn:aws:apigateway:us-east-1:sqs:path/1/q") == "other"
    assert isinstance(classify("AWS", Unresolved("var.uri")), Unresolved)
    assert classify(None, None) is None
    assert target_of(
        "arn:aws:apigateway:r:runtime.sagemaker:path//endpoints/churn/invocations", "sagemaker"
    ) == (
        "churn",
        "aws.sagemaker.endpoint",
    )
    arn = "arn:aws:lambda:us-east-1:123456789012:function:predict"
    assert (
        target_of(f"arn:aws:apigateway:r:lambda:path/2015-03-31/functions/{arn}/invocations", "lambda")[0]
        == arn
    )
    assert target_of(Ref("tf:aws_lambda_function.f"), "lambda")[0] == Ref("tf:aws_lambda_function.f")


@pytest.mark.parametrize("name", ["routes.tf", "routes.plan.json", "routes.cfn.yaml"])
def test_routes_invoke_their_lambda(name):
    path = EXAMPLES / "apigateway-route-to-model-authorized" / name
    result, inv = scan_iac([path], ScanOptions(include_rules=["apigateway-route-to-model-authorized"]))
    assert not result.errors
    routes = inv.of_type("aws.apigateway.rest_method", "aws.apigateway.http_route")
    fn = next(iter(inv.of_type("aws.lambda.function")))
    invoked = {r.name for r in routes for rel in inv.relations if rel.src == r.uid and rel.kind == "invokes"}
    lambda_routes = {r.name for r in routes if r.attrs.get("integration_target") == "lambda"}
    assert lambda_routes and lambda_routes <= invoked
    assert all(
        rel.dst == fn.uid
        for rel in inv.relations
        if rel.kind == "invokes" and any(r.uid == rel.src and r.name in lambda_routes for r in routes)
    )
    sm = [r for r in routes if r.attrs.get("integration_target") == "sagemaker"]
    assert len(sm) == 1 and sm[0].attrs["integration_type"] == "AWS"


def test_kserve_storage_uri_is_on_the_model_container(tmp_path):
    f = tmp_path / "isvc.k8s.yaml"
    f.write_text(
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\n"
        "spec:\n  predictor:\n    model:\n      modelFormat: {name: sklearn}\n"
        "      storageUri: http://x/m.joblib\n"
    )
    result, inv = scan_iac([f], ScanOptions(include_rules=["k8s-model-source-not-plain-http"]))
    (w,) = inv.of_type("k8s.workload")
    assert w.attrs["pod_templates"][0]["containers"][0]["storage_uri"] == "http://x/m.joblib"
    (finding,) = [x for x in result.findings if x.status == "fail"]
    assert finding.evidence.path.endswith("storage_uri")
