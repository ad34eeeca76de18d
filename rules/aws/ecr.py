"""ECR repositories: where SageMaker model containers and Lambda images come from, so
what a repository accepts and keeps is what production inference runs."""

from __future__ import annotations

from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

REPOSITORY = "aws.ecr.repository"


@rule(
    id="ecr-repository-scan-on-push",
    title="ECR repositories scan images for vulnerabilities on push",
    severity="medium",
    category="supply-chain",
    applies_to=[REPOSITORY],
    description="Scan on push checks every model-serving or function image for known vulnerabilities "
    "as it arrives, before an endpoint or function is deployed from it.",
    risk="Inference containers ship with known-vulnerable libraries (and the ML stack is large) unnoticed.",
    remediation={
        "terraform": "image_scanning_configuration {\n  scan_on_push = true\n}",
        "cloudformation": "ImageScanningConfiguration:\n  ScanOnPush: true",
        "cli": "aws ecr put-image-scanning-configuration --repository-name NAME "
        "--image-scanning-configuration scanOnPush=true",
    },
    references=["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html"],
    aliases=["CKV_AWS_163", "ecr_repositories_scan_images_on_push_enabled"],
)
def scan_on_push(repo: Resource):
    if not repo.a.get("scan_on_push", False):
        return fail("images are not scanned on push", at="scan_on_push")
    return ok()


@rule(
    id="ecr-repository-tags-immutable",
    title="ECR repositories make image tags immutable",
    severity="medium",
    category="supply-chain",
    applies_to=[REPOSITORY],
    description="With mutable tags anyone who can push can replace the image behind a tag such as "
    "`prod` or `v3`; the next endpoint or function update then runs the replacement without any "
    "change to templates or model versions.",
    risk="A swapped inference image (a backdoored model server) deployed under a trusted tag.",
    remediation={
        "terraform": 'image_tag_mutability = "IMMUTABLE"',
        "cloudformation": "ImageTagMutability: IMMUTABLE",
        "cli": "aws ecr put-image-tag-mutability --repository-name NAME --image-tag-mutability IMMUTABLE",
    },
    references=["https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html"],
    aliases=["CKV_AWS_51", "ecr_repositories_tag_immutability"],
)
def tags_immutable(repo: Resource):
    mutability = repo.a.get("image_tag_mutability", "MUTABLE")
    if not str(mutability).upper().startswith("IMMUTABLE"):  # IMMUTABLE_WITH_EXCLUSION counts too
        return fail(f"image tags are {mutability}", at="image_tag_mutability")
    return ok()


@rule(
    id="ecr-repository-encrypted-with-cmk",
    title="ECR repositories are encrypted with a customer-managed KMS key",
    severity="low",
    category="encryption",
    applies_to=[REPOSITORY],
    description="Images are encrypted with AES256 (S3-managed) or the AWS-managed aws/ecr key unless a "
    "customer-managed key is set; only a key of your own lets you audit, restrict or revoke access "
    "to model images independently of ECR permissions.",
    risk="No key-level control over who can read proprietary model images.",
    remediation={
        "terraform": 'encryption_configuration {\n  encryption_type = "KMS"\n'
        "  kms_key         = aws_kms_key.ecr.arn\n}",
        "cloudformation": "EncryptionConfiguration:\n  EncryptionType: KMS\n  KmsKey: !GetAtt EcrKey.Arn",
        "cli": "Recreate the repository with --encryption-configuration encryptionType=KMS,kmsKey=KEY_ARN "
        "(encryption cannot be changed in place).",
    },
    references=["https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html"],
    aliases=["CKV_AWS_136"],
)
def encrypted_with_cmk(repo: Resource):
    etype = repo.a.get("encryption_type", "AES256")
    if not str(etype).upper().startswith("KMS"):
        return fail(f"encryption type is {etype}", at="encryption_type")
    if not repo.a.get("kms_key"):
        return fail("KMS encryption uses the AWS-managed aws/ecr key", at="kms_key")
    return ok()
