"""Generate a realistic Kubernetes corpus of ML workloads for benchmarks.

Each tenant directory holds a namespace with its quota, service accounts (some with IRSA
or Workload Identity annotations), RBAC, a GPU training Job, a Deployment-based inference
service with its Service, a KServe InferenceService, a Knative Service, a Kubeflow
PyTorchJob, a RayCluster, a NetworkPolicy in some tenants, and a ConfigMap: multi-document
YAML files as teams write them.

    python bench/gen_kubernetes.py /tmp/k8scorpus --tenants 300
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

BASE = """apiVersion: v1
kind: Namespace
metadata:
  name: team-{n}
  labels:
    pod-security.kubernetes.io/enforce: {pss}
---
apiVersion: v1
kind: ResourceQuota
metadata: {{name: gpu-quota, namespace: team-{n}}}
spec:
  hard: {{requests.nvidia.com/gpu: "8"}}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: trainer
  namespace: team-{n}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/team-{n}-trainer
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: serving
  namespace: team-{n}
  annotations:
    iam.gke.io/gcp-service-account: serving-{n}@ml-prod.iam.gserviceaccount.com
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: job-runner, namespace: team-{n}}}
rules:
  - apiGroups: ["", "batch"]
    resources: [pods, jobs, {extra}]
    verbs: [get, list, create, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: job-runner, namespace: team-{n}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: job-runner}}
subjects:
  - {{kind: ServiceAccount, name: trainer, namespace: team-{n}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: team-{n}}}
data:
  MODEL_BUCKET: s3://team-{n}-models
  LOG_LEVEL: info
"""

WORKLOADS = """apiVersion: batch/v1
kind: Job
metadata: {{name: train-{i}, namespace: team-{n}}}
spec:
  backoffLimit: 2
  template:
    spec:
      serviceAccountName: trainer
      restartPolicy: Never
      containers:
        - name: train
          image: registry.example.com/team-{n}/train:{tag}
          args: ["--epochs", "10"]
          resources:
            limits: {{nvidia.com/gpu: "{gpus}", memory: 64Gi}}
          securityContext:
            privileged: {privileged}
            allowPrivilegeEscalation: false
          envFrom:
            - configMapRef: {{name: settings}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: serve-{i}, namespace: team-{n}, labels: {{app: serve-{i}}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: serve-{i}}}}}
  template:
    metadata: {{labels: {{app: serve-{i}}}}}
    spec:
      serviceAccountName: serving
      hostNetwork: {host_network}
      containers:
        - name: server
          image: nvcr.io/nvidia/tritonserver:24.01-py3
          ports: [{{containerPort: 8000}}]
          resources:
            limits: {{nvidia.com/gpu: "1"}}
          securityContext:
            runAsNonRoot: true
            readOnlyRootFilesystem: true
---
apiVersion: v1
kind: Service
metadata: {{name: serve-{i}, namespace: team-{n}}}
spec:
  type: {svc_type}
  selector: {{app: serve-{i}}}
  ports: [{{port: 80, targetPort: 8000}}]
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata: {{name: isvc-{i}, namespace: team-{n}}}
spec:
  predictor:
    serviceAccountName: serving
    model:
      modelFormat: {{name: pytorch}}
      storageUri: s3://team-{n}-models/model-{i}
      resources:
        limits: {{nvidia.com/gpu: "1"}}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {{name: kn-{i}, namespace: team-{n}}}
spec:
  template:
    spec:
      containers:
        - image: registry.example.com/team-{n}/embed:{tag}
          env: [{{name: LOG_LEVEL, value: info}}]
---
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {{name: ddp-{i}, namespace: team-{n}}}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: pytorch
              image: registry.example.com/team-{n}/ddp:{tag}
              resources: {{limits: {{nvidia.com/gpu: "8"}}}}
    Worker:
      replicas: 3
      template:
        spec:
          containers:
            - name: pytorch
              image: registry.example.com/team-{n}/ddp:{tag}
              resources: {{limits: {{nvidia.com/gpu: "8"}}}}
---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {{name: ray-{i}, namespace: team-{n}}}
spec:
  headGroupSpec:
    serviceType: {svc_type}
    rayStartParams: {{dashboard-host: 0.0.0.0}}
    template:
      spec:
        containers:
          - name: ray-head
            image: rayproject/ray:2.9.0
  workerGroupSpecs:
    - groupName: gpu
      replicas: 2
      rayStartParams: {{}}
      template:
        spec:
          containers:
            - name: ray-worker
              image: rayproject/ray:2.9.0-gpu
              resources: {{limits: {{nvidia.com/gpu: "1"}}}}
"""

NETPOL = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: default-deny, namespace: team-{n}}}
spec:
  podSelector: {{}}
  policyTypes: [Ingress, Egress]
"""


def generate(out: Path, tenants: int, per_tenant: int = 2, seed: int = 11) -> int:
    """Write the corpus under `out`; returns the number of files."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    files = 0
    for n in range(tenants):
        d = out / f"team-{n:04d}"
        d.mkdir(exist_ok=True)
        base = BASE.format(
            n=n,
            pss=rng.choice(["restricted", "baseline", "privileged"]),
            extra=rng.choice(["configmaps", "secrets", "pods/exec"]),
        )
        (d / "base.yaml").write_text(base, encoding="utf-8")
        files += 1
        for i in range(per_tenant):
            text = WORKLOADS.format(
                n=n,
                i=i,
                tag=rng.choice(["v1.2.0", "latest", "sha-3f2a9c"]),
                gpus=rng.choice([1, 2, 4, 8]),
                privileged=rng.choice(["false", "false", "true"]),
                host_network=rng.choice(["false", "false", "true"]),
                svc_type=rng.choice(["ClusterIP", "ClusterIP", "LoadBalancer"]),
            )
            (d / f"workloads-{i}.yaml").write_text(text, encoding="utf-8")
            files += 1
        if n % 3:
            (d / "netpol.yaml").write_text(NETPOL.format(n=n), encoding="utf-8")
            files += 1
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--tenants", type=int, default=300)
    ap.add_argument("--per-tenant", type=int, default=2)
    a = ap.parse_args()
    files = generate(a.out, a.tenants, a.per_tenant)
    print(f"{files} files in {a.out}")


if __name__ == "__main__":
    main()
