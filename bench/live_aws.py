"""Benchmark of `scan aws` collection against moto: an account of N resources (Lambda
functions, SageMaker models and endpoint configs, IAM roles), then one collection.
Reports wall time, API calls and calls/s. `python bench/live_aws.py [N]` (default 5000).

Prowler comparison: not run here (see the report); Prowler honours AWS_ENDPOINT_URL only
through botocore's own environment support, and its checks start with account-level calls
(Organizations, STS, IAM credential reports) that a stand-in must answer."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(n: int) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    from scanner.collect.aws import AwsScanConfig, collect_aws

    logging.disable(logging.CRITICAL)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    host, port = srv.get_host_and_port()
    url = f"http://{host}:{port}"
    c = lambda s: boto3.client(s, endpoint_url=url, region_name="us-east-1")  # noqa: E731
    iam, lam, sm = c("iam"), c("lambda"), c("sagemaker")
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    code = buf.getvalue()
    per = n // 4
    t0 = time.perf_counter()

    def make(i: int) -> None:
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=trust)
        role = f"arn:aws:iam::123456789012:role/r{i}"
        lam.create_function(
            FunctionName=f"f{i}",
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": code},
            Environment={"Variables": {"K": "v"}},
        )
        sm.create_model(ModelName=f"m{i}", ExecutionRoleArn=role, PrimaryContainer={"Image": "img:1"})
        sm.create_endpoint_config(
            EndpointConfigName=f"c{i}",
            ProductionVariants=[
                {
                    "VariantName": "v",
                    "ModelName": f"m{i}",
                    "InstanceType": "ml.m5.large",
                    "InitialInstanceCount": 1,
                }
            ],
        )

    with ThreadPoolExecutor(4) as pool:  # moto's IAM backend is not safe under heavy concurrency
        list(pool.map(make, range(per)))
    setup = time.perf_counter() - t0
    cfg = AwsScanConfig(
        endpoint_url=url, region="us-east-1", services=["iam", "lambda", "sagemaker"], workers=16
    )
    col = collect_aws(cfg)
    srv.stop()
    res = len(col.normalized.resources)
    print(
        json.dumps(
            {
                "resources_created": per * 4,
                "resources_collected": res,
                "setup_s": round(setup, 1),
                "wall_s": round(col.wall_s, 2),
                "api_calls": col.calls,
                "calls_per_s": round(col.calls / col.wall_s, 1),
                "errors": len(col.errors),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
