"""Supply chain of AWS ML workloads: the images SageMaker serves and the code Lambda runs."""

from __future__ import annotations

from rules.helpers.images import parse_image
from rules.sdk import fail, ok, rule, unknown
from scanner.model.resource import Resource, UnresolvedAccess

MODEL = "aws.sagemaker.model"
FUNCTION = "aws.lambda.function"


@rule(
    id="sagemaker-model-image-pinned",
    title="SageMaker model containers are pinned by image digest",
    severity="medium",
    category="supply-chain",
    applies_to=[MODEL],
    description="An inference image referenced by tag is resolved when an endpoint instance starts, so a "
    "re-pushed tag (ECR tags are mutable unless the repository is made immutable) silently "
    "changes the code that serves the model on the next scale-out or replacement. Reference "
    "the image by @sha256 digest.",
    risk="A swapped image serves, leaks or poisons the model with the endpoint's execution role.",
    remediation={
        "terraform": "primary_container {\n  image = "
        '"123456789012.dkr.ecr.us-east-1.amazonaws.com/serve@sha256:<digest>"\n}',
        "cloudformation": "PrimaryContainer:\n  Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/serve@sha256:<digest>",
        "cli": "Create a new model whose container image is IMAGE@sha256:DIGEST and update the endpoint.",
    },
    references=[
        "https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
    ],
)
def model_image_pinned(m: Resource):
    out = []
    for i, c in enumerate(m.a.get("containers", [])):
        path = f"containers[{i}].image"
        try:
            image = c.get("image")
        except UnresolvedAccess as e:
            out.append(unknown(f"{e.path} is unresolved ({e.expr})", e.path))
            continue
        if image is None:
            continue  # a model package supplies its own image
        ref = parse_image(image)
        if ref is None or not ref.pinned:
            what = "the latest tag" if ref is not None and ref.latest else "a mutable tag"
            out.append(fail(f"container {i} image uses {what}, not a digest", at=path))
    return out or ok()


@rule(
    id="lambda-function-code-signing",
    title="Lambda functions enforce code signing",
    severity="low",
    category="supply-chain",
    applies_to=[FUNCTION],
    description="A code signing configuration makes Lambda refuse code packages not signed by an approved "
    "AWS Signer profile, so a leaked deployment credential cannot ship arbitrary code into a "
    "function that reaches models and data.",
    risk="Tampered or unapproved code deployed to an inference or pipeline function.",
    remediation={
        "terraform": "code_signing_config_arn = aws_lambda_code_signing_config.signed.arn",
        "cloudformation": "CodeSigningConfigArn: !Ref SignedCodeConfig",
        "cli": "aws lambda put-function-code-signing-config --function-name NAME "
        "--code-signing-config-arn ARN",
    },
    references=["https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html"],
    aliases=["CKV_AWS_272"],
)
def lambda_code_signing(fn: Resource):
    if fn.a.get("package_type", "Zip") == "Image":
        return ok()  # code signing applies to .zip packages only
    if not fn.a.get("code_signing_config_arn"):
        return fail("no code signing configuration is set", at="code_signing_config_arn")
    return ok()
