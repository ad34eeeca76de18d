"""Cloud identities of Kubernetes service accounts (EKS IRSA, GKE Workload Identity) as they
reach inference services."""

from __future__ import annotations

from rules.k8s._common import WORKLOAD, is_inference
from rules.sdk import fail, rule, unknown
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, Unresolved

SERVICE_ACCOUNT = "k8s.service_account"
IRSA_DOCS = "https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html"
GKE_WI_DOCS = "https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity"
AUTOMOUNT_DOCS = (
    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"
    "#opt-out-of-api-credential-automounting"
)


def _identity(sa: Resource) -> str | None:
    parts = []
    for key, what in (("aws_role_arn", "IAM role"), ("gcp_service_account", "Google service account")):
        v = sa.attrs.get(key)
        if isinstance(v, Unresolved):
            parts.append(f"a templated {what}")
        elif isinstance(v, str) and v:
            parts.append(f"{what} {v}")
    return " and ".join(parts) or None


def _listed(ws: list[Resource]) -> str:
    names = sorted(f"{w.attrs.get('kind')} {w.name}" for w in ws)
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


@rule(
    id="k8s-service-account-cloud-identity-scoped",
    title="Service accounts with a cloud identity used by inference services are dedicated to them",
    severity="medium",
    category="iam",
    applies_to=[SERVICE_ACCOUNT],
    description="A service account annotated with an IAM role (EKS IRSA, eks.amazonaws.com/role-arn) or "
    "a Google service account (GKE Workload Identity, iam.gke.io/gcp-service-account) hands that "
    "cloud identity to every pod that runs as it. A model server answers untrusted requests, so "
    "its cloud identity should hold only what serving needs (read the model artifact). Two "
    "things fail here, for service accounts that a KServe InferenceService or Knative Service in "
    "the scan runs as: (1) the same account also runs other workloads (training jobs, notebooks, "
    "pipelines), so the model server carries their rights, typically write access to datasets and "
    "model registries; (2) the account does not set automountServiceAccountToken: false and an "
    "inference pod does not opt out, so next to the cloud credential the server also holds a "
    "Kubernetes API token. Turning automount off does not remove the cloud credential (IRSA "
    "projects its own token and GKE's metadata server answers by pod identity), which is why "
    "the first check matters most: give each inference service its own service account and cloud "
    "role. Service accounts no inference service in the scan runs as are not checked.",
    risk="A compromised model server reaches training data, registries and the Kubernetes API.",
    remediation={
        "kubernetes": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: llm-predictor\n"
        "  namespace: ml-serving\n  annotations:\n"
        "    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/llm-predictor-read-model\n"
        "automountServiceAccountToken: false\n---\n# the InferenceService runs as its own account\n"
        "spec:\n  predictor:\n    serviceAccountName: llm-predictor",
    },
    references=[IRSA_DOCS, GKE_WI_DOCS, AUTOMOUNT_DOCS],
    maturity="incubating",
)
def cloud_identity_scoped(sa: Resource, inventory: Inventory):
    identity = _identity(sa)
    if identity is None:
        return None
    users = [w for w in inventory.referrers(sa, "runs_as") if w.type == WORKLOAD]
    serving = [w for w in users if is_inference(w)]
    if not serving:
        return None
    out = []
    others = [w for w in users if not is_inference(w)]
    if others:
        out.append(
            fail(
                f"gives {identity} to inference services ({_listed(serving)}) and to other workloads "
                f"({_listed(others)})",
                at="aws_role_arn" if sa.attrs.get("aws_role_arn") is not None else "gcp_service_account",
            )
        )
    own = sa.attrs.get("automount_service_account_token")
    if isinstance(own, Unresolved):
        out.append(unknown(f"automount_service_account_token is unresolved ({own.expr})"))
        return out
    mounted = []
    for w in serving:
        for t in w.attrs.get("pod_templates", []):
            if t.get("service_account") != sa.name:
                continue
            pod = t.get("automount_service_account_token")
            effective = pod if isinstance(pod, bool) else own is not False
            if effective and w not in mounted:
                mounted.append(w)
    if mounted and own is not False:
        out.append(
            fail(
                f"carries {identity}, does not set automountServiceAccountToken: false, and "
                f"its API token is mounted into {_listed(mounted)}",
                at="automount_service_account_token",
            )
        )
    return out
