"""Generate a realistic Terraform corpus of ML infrastructure for benchmarks.

Each stack directory is a root module with variables, locals, a tfvars file, a call to a
shared local module, and SageMaker, Lambda, IAM and S3 resources that reference each other.
The reference size (issue: benchmarks) is 2,000 files with about 14,000 resources:

    python bench/gen_terraform.py /tmp/tfcorpus --stacks 400
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

MODULE = """variable "name" { type = string }
variable "kms_key_arn" {
  type    = string
  default = null
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "${var.name}-artifacts"
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

output "bucket_arn" { value = aws_s3_bucket.artifacts.arn }
"""

VARIABLES = """variable "env" {
  type    = string
  default = "dev"
}
variable "instance_type" {
  type    = string
  default = "ml.t3.medium"
}
variable "subnet_id" { type = string }
variable "internet" {
  type    = string
  default = "Enabled"
}
locals {
  prefix = "${var.env}-stack{n}"
  tags   = { team = "ml", env = var.env, stack = "{n}" }
}
"""

IAM = """resource "aws_iam_role" "exec_{i}" {
  name = "${local.prefix}-exec-{i}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "sagemaker.amazonaws.com" } }]
  })
  tags = local.tags
}

data "aws_iam_policy_document" "access_{i}" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.shared.bucket_arn}/*"]
  }
  statement {
    actions   = ["{action}"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "access_{i}" {
  name   = "access"
  role   = aws_iam_role.exec_{i}.id
  policy = data.aws_iam_policy_document.access_{i}.json
}
"""

SAGEMAKER = """resource "aws_sagemaker_notebook_instance" "nb_{i}" {
  name                   = "${local.prefix}-nb-{i}"
  role_arn               = aws_iam_role.exec_{i}.arn
  instance_type          = var.instance_type
  direct_internet_access = {internet}
  subnet_id              = var.subnet_id
  tags                   = local.tags
}

resource "aws_sagemaker_model" "model_{i}" {
  name                     = "${local.prefix}-model-{i}"
  execution_role_arn       = aws_iam_role.exec_{i}.arn
  enable_network_isolation = {isolation}
  primary_container {
    image          = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:{i}"
    model_data_url = "s3://${local.prefix}-artifacts/model-{i}.tar.gz"
    environment = {
      MODEL_NAME = "model-{i}"
      LOG_LEVEL  = "INFO"
    }
  }
}

resource "aws_sagemaker_endpoint_configuration" "cfg_{i}" {
  name = "${local.prefix}-cfg-{i}"
  production_variants {
    variant_name           = "primary"
    model_name             = aws_sagemaker_model.model_{i}.name
    initial_instance_count = {count}
    instance_type          = "ml.m5.large"
  }
}

resource "aws_sagemaker_endpoint" "ep_{i}" {
  name                 = "${local.prefix}-ep-{i}"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.cfg_{i}.name
}
"""

LAMBDA = """resource "aws_lambda_function" "fn_{i}" {
  function_name = "${local.prefix}-fn-{i}"
  role          = aws_iam_role.exec_{i}.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  tracing_config { mode = "{tracing}" }
  environment {
    variables = {
      ENDPOINT = aws_sagemaker_endpoint.ep_{i}.name
      STAGE    = var.env
    }
  }
}

resource "aws_lambda_function_url" "url_{i}" {
  function_name      = aws_lambda_function.fn_{i}.function_name
  authorization_type = "{auth}"
}
"""


def stack(root: Path, n: int, rng: random.Random, groups: int) -> int:
    d = root / f"stack{n:04d}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "variables.tf").write_text(VARIABLES.replace("{n}", str(n)))
    (d / "terraform.tfvars").write_text('subnet_id = "subnet-0abc"\nenv = "prod"\n')
    (d / "main.tf").write_text(
        'module "shared" {\n  source = "../modules/shared"\n  name   = local.prefix\n}\n'
    )
    iam, sm, lam = [], [], []
    for i in range(groups):
        iam.append(
            IAM.replace("{i}", str(i)).replace(
                "{action}", rng.choice(["logs:PutLogEvents", "iam:PassRole", "*"])
            )
        )
        sm.append(
            SAGEMAKER.replace("{i}", str(i))
            .replace("{internet}", rng.choice(['"Disabled"', "var.internet"]))
            .replace("{isolation}", rng.choice(["true", "false"]))
            .replace("{count}", str(rng.choice([1, 2])))
        )
        lam.append(
            LAMBDA.replace("{i}", str(i))
            .replace("{tracing}", rng.choice(["Active", "PassThrough"]))
            .replace("{auth}", rng.choice(["AWS_IAM", "NONE"]))
        )
    (d / "iam.tf").write_text("\n".join(iam))
    (d / "sagemaker.tf").write_text("\n".join(sm))
    (d / "lambda.tf").write_text("\n".join(lam))
    # files: variables, tfvars, main, iam, sagemaker, lambda = 6 per stack (5 .tf)
    return groups * 9 + 1  # resources incl. the data source; +1 module call


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--stacks", type=int, default=400, help="root modules (5 .tf files each)")
    ap.add_argument("--groups", type=int, default=4, help="notebook/model/endpoint/lambda groups per stack")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    mod = a.out / "modules" / "shared"
    mod.mkdir(parents=True, exist_ok=True)
    (mod / "main.tf").write_text(MODULE)
    total = sum(stack(a.out, n, rng, a.groups) for n in range(a.stacks))
    files = sum(1 for _ in a.out.rglob("*.tf"))
    print(f"{a.out}: {files} .tf files, about {total + 2 * a.stacks} resource blocks")


if __name__ == "__main__":
    main()
