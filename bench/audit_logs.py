"""Audit-log benchmark: the monitor (readers + every detection) against `zcat | jq -c`
selecting S3 GetObject events, over the same gzipped CloudTrail files, in the same run.

Generates FILES files of RECORDS CloudTrail records each (as delivered to S3: one
``{"Records": [...]}`` line, gzipped), a realistic mix: S3 data events on the fixture
policy's declared buckets and on others, KMS, STS, EC2 and SageMaker management calls,
from the fixture tenants' roles and others. Runs at two sizes to show that peak memory
does not grow with the input. Each tool runs --repeat times, alternating, and the median is
kept. stdout: one JSON line a size (ours, the peer, the speedup); stderr: what the monitor
read and found, every wall time, and its peak-memory growth:

    .venv/bin/python bench/audit_logs.py --dir /tmp/ctbench --files 1000 --records 1000 --small 250 --workers 2 --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
ACCT = "111122223333"
ROLES = [
    "fraud-training",
    "fraud-inference",
    "credit-training",
    "platform-admin",
    "legacy-etl",
    "ci-deployer",
]
BUCKETS = [("ml-data-prod", "fraud/transactions/part-{:05d}.parquet"), ("ml-data-prod", "credit/applications/part-{:05d}.parquet"),
           ("ml-models-prod", "fraud/xgb/v{}/model.tar.gz"), ("ml-scratch-dev", "notebooks/run-{}.ipynb"),
           ("athena-results-prod", "queries/{}.csv")]  # fmt: skip
OTHER = [("kms.amazonaws.com", "Decrypt"), ("sts.amazonaws.com", "AssumeRole"), ("ec2.amazonaws.com", "DescribeInstances"),
         ("sagemaker.amazonaws.com", "DescribeTrainingJob"), ("logs.amazonaws.com", "PutLogEvents"),
         ("sagemaker.amazonaws.com", "ListEndpoints")]  # fmt: skip


def _identity(rng: random.Random) -> dict:
    role = rng.choice(ROLES)
    session = f"session-{rng.randrange(10**6):06d}"
    return {
        "type": "AssumedRole", "principalId": f"AROAEXAMPLE{rng.randrange(10**6)}:{session}",
        "arn": f"arn:aws:sts::{ACCT}:assumed-role/{role}/{session}", "accountId": ACCT,
        "accessKeyId": f"ASIA{rng.getrandbits(64):016X}",
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "userName": role,
                                             "arn": f"arn:aws:iam::{ACCT}:role/{role}", "accountId": ACCT},
                           "attributes": {"creationDate": "2026-11-01T00:00:00Z", "mfaAuthenticated": "false"}},
    }  # fmt: skip


def _record(rng: random.Random, day: int, i: int) -> dict:
    t = f"2026-11-{1 + day:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"
    rec = {
        "eventVersion": "1.09", "userIdentity": _identity(rng), "eventTime": t, "awsRegion": "us-east-1",
        "sourceIPAddress": f"10.20.{rng.randrange(4)}.{rng.randrange(1, 250)}",
        "userAgent": "aws-sdk-java/2.25.0 Linux/5.10 OpenJDK_64-Bit_Server_VM/17", "requestID": f"{rng.getrandbits(64):016X}",
        "eventID": f"{rng.getrandbits(128):032x}", "readOnly": True, "eventType": "AwsApiCall",
        "recipientAccountId": ACCT,
    }  # fmt: skip
    if rng.random() < 0.4:
        bucket, key = rng.choice(BUCKETS)
        key = key.format(rng.randrange(500))
        rec.update(
            eventVersion="1.10", eventSource="s3.amazonaws.com", eventName="GetObject", eventCategory="Data",
            managementEvent=False, vpcEndpointId="vpce-0a1b2c3d4e5f60718" if rng.random() < 0.9 else None,
            requestParameters={"bucketName": bucket, "Host": f"{bucket}.s3.us-east-1.amazonaws.com", "key": key},
            responseElements=None,
            resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{bucket}/{key}"},
                       {"accountId": ACCT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{bucket}"}],
            additionalEventData={"SignatureVersion": "SigV4", "bytesTransferredIn": 0,
                                 "bytesTransferredOut": rng.randrange(1 << 24)},
        )  # fmt: skip
        if rec["vpcEndpointId"] is None:
            del rec["vpcEndpointId"]
    else:
        source, name = rng.choice(OTHER)
        rec.update(eventSource=source, eventName=name, eventCategory="Management", managementEvent=True,
                   requestParameters={"maxResults": 100}, responseElements=None)  # fmt: skip
    return rec


def _write(args: tuple[Path, int, int]) -> None:
    folder, n, records = args
    rng = random.Random(n)
    day = n % 28
    recs = [_record(rng, day, i) for i in range(records)]
    path = folder / f"{ACCT}_CloudTrail_us-east-1_202611{1 + day:02d}T{n % 24:02d}00Z_{n:05d}.json.gz"
    path.write_bytes(gzip.compress(orjson.dumps({"Records": recs}), compresslevel=6))


def generate(folder: Path, files: int, records: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    have = len(list(folder.glob("*.json.gz")))
    if have == files:
        return
    for f in folder.glob("*.json.gz"):
        f.unlink()
    with ProcessPoolExecutor(os.cpu_count()) as ex:
        list(ex.map(_write, [(folder, n, records) for n in range(files)], chunksize=8))


def run(folder: Path, events: int, workers: int, repeat: int) -> dict:
    """Both tools `repeat` times, alternating which goes first (the machine is shared: load
    from elsewhere then falls on both alike); the median wall time and largest peak of each."""
    files = sorted(str(p) for p in folder.glob("*.json.gz"))
    out = folder.parent / f"{folder.name}-report.json"
    mon_cmd = [str(REPO / ".venv/bin/mlposture"), "monitor", "audit", "--policy", str(REPO / "fixtures/audit/policy.yaml"),
               "--cloudtrail", str(folder), "--workers", str(workers), "-q", "-o", f"json={out}"]  # fmt: skip
    jq_filter = '.Records[] | select(.eventSource=="s3.amazonaws.com" and .eventName=="GetObject")'
    jq_cmd = ["sh", "-c", f"zcat {' '.join(files)} | jq -c '{jq_filter}' | wc -l"]
    mons, jqs = [], []
    for i in range(repeat):
        for which in ("mon", "jq") if i % 2 == 0 else ("jq", "mon"):
            if which == "mon":
                m = measure(mon_cmd)
                if m["exit"] not in (0, 1):  # 1: findings
                    sys.exit(f"monitor failed ({m['exit']}): {m['stderr_tail']}")
                mons.append(m)
            else:
                m = measure(jq_cmd)
                if m["exit"] != 0:
                    sys.exit(f"jq failed ({m['exit']}): {m['stderr_tail']}")
                jqs.append(m)
    doc = json.loads(out.read_text())
    src = doc["scan"]["sources"][0]
    detail = {"files": len(files), "records": src["records"], "relevant": doc["scan"]["sources"][-1]["events"],
              "findings": len(doc["findings"]), "workers": workers,
              "ours_wall_s": [m["wall_s"] for m in mons], "jq_wall_s": [m["wall_s"] for m in jqs]}  # fmt: skip
    print(json.dumps({"workload": f"CloudTrail {events} events", **detail}), file=sys.stderr, flush=True)
    ours, peer = statistics.median(m["wall_s"] for m in mons), statistics.median(m["wall_s"] for m in jqs)
    return {
        "workload": f"CloudTrail {events} events",
        "ours": {"wall_s": ours, "peak_mb": max(m["peak_mb"] for m in mons), "events_per_s": round(events / ours)},
        "peer": {"name": "zcat | jq -c", "wall_s": peer, "peak_mb": max(m["peak_mb"] for m in jqs)},
        "speedup": round(peer / ours, 2),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="/tmp/ctbench")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--small", type=int, default=250, help="files in the smaller run (memory growth)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs of each tool, alternating; the median is reported"
    )
    a = ap.parse_args()
    root = Path(a.dir)
    results = []
    for n in (a.small, a.files):
        folder = root / f"files-{n}"
        generate(folder, n, a.records)
        r = run(folder, n * a.records, a.workers, a.repeat)
        results.append(r)
        print(json.dumps(r), flush=True)  # one line a size: the lead's summary table
    small, big = results
    growth = round(big["ours"]["peak_mb"] - small["ours"]["peak_mb"], 1)
    print(json.dumps({"ours_peak_growth_mb": growth, "input_growth": a.files / a.small}), file=sys.stderr)


if __name__ == "__main__":
    main()
