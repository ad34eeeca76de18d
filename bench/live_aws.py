"""Benchmark of `mlposture scan aws` against moto: an account of N resources (Lambda
functions, SageMaker models and endpoint configs, IAM roles) built on 4 threads (moto's IAM
broke at 16), then our scan and Prowler's SageMaker and Lambda checks against the same
server, each in its own process so wall time and peak RSS (wait4) are theirs alone.
`python bench/live_aws.py [N]` (default 5000). Prowler runs from bench/.prowler-venv
(`python3 -m venv bench/.prowler-venv && bench/.prowler-venv/bin/pip install prowler`),
pointed at moto through AWS_ENDPOINT_URL (its botocore 1.40 honours it) with fake
credentials. Prints one JSON line for the lead's table."""

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

    for i in range(per):  # moto's IAM backend answered 500s under 4 threads: roles one by one
        iam.create_role(RoleName=f"r{i}", AssumeRolePolicyDocument=trust)

    def make(i: int) -> None:
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

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(make, range(per)))
    setup = time.perf_counter() - t0
    print(f"built {per * 4} resources in {setup:.0f} s", file=sys.stderr)
    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    out = root / "out" / "bench-live-aws.json"
    out.parent.mkdir(exist_ok=True)
    ours_cmd = [sys.executable, "-c", "from scanner.cli import main; main()", "scan", "aws"]
    ours_cmd += ["--endpoint-url", url, "--services", "iam,lambda,sagemaker", "-q", "-o", f"json={out}"]
    wall, peak, rc = _run(ours_cmd, env, root)
    report = json.loads(out.read_text())
    calls = sum(s.get("api_calls") or 0 for s in report["scan"]["sources"])
    errors = len(report["scan"]["errors"])
    ours = {"wall_s": round(wall, 2), "peak_mb": round(peak, 1), "calls": calls}
    ours["calls_per_s"] = round(calls / wall, 1)
    peer = None
    prowler = root / "bench" / ".prowler-venv" / "bin" / "prowler"
    if prowler.exists():
        penv = dict(env, AWS_ENDPOINT_URL=url)
        cmd = [str(prowler), "aws", "--service", "sagemaker", "awslambda", "--region", "us-east-1"]
        cmd += ["--output-formats", "json-ocsf", "--no-banner", "-o", str(root / "out" / "prowler")]
        pwall, ppeak, prc = _run(cmd, penv, root)
        # exit 3 = findings failed; anything else is a crash
        peer = {"name": "prowler", "wall_s": round(pwall, 2), "peak_mb": round(ppeak, 1), "rc": prc}
    srv.stop()
    line = {
        "workload": f"moto account, {per * 4} resources (iam, lambda, sagemaker), errors={errors}, rc={rc}",
        "ours": ours,
        "peer": peer,
        "speedup": round(peer["wall_s"] / ours["wall_s"], 2) if peer else None,
    }
    print(json.dumps(line))


def _run(cmd: list[str], env: dict, cwd: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one child process."""
    import subprocess

    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, usage.ru_maxrss / 1024, p.returncode


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
