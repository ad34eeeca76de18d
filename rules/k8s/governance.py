"""Governance on Kubernetes: long-lived credentials, Secret values committed to Git, idle
GPU capacity, and the guard rails (quota, Pod Security) of namespaces that run GPUs."""

from __future__ import annotations

from rules.k8s._common import INFERENCE_KINDS, WORKLOAD, gpu_state, in_namespace
from rules.sdk import fail, rule, unknown
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, Unresolved

SECRET = "k8s.secret"
NAMESPACE = "k8s.namespace"
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
# Only requests.<extended resource> is enforced by the quota controller for GPUs: limits.*
# and bare names are accepted by the API server and then never counted.
ENFORCED_QUOTA_PREFIX = "requests."
ENFORCING_LEVELS = ("baseline", "restricted")

SA_DOCS = "https://kubernetes.io/docs/concepts/security/service-accounts/"
SA_TOKEN_SECRETS = "https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets"
LEGACY_TOKEN_CLEANER = (
    "https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/"
    "#legacy-serviceaccount-token-cleaner"
)
SECRETS_GOOD_PRACTICES = "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"
QUOTA_DOCS = "https://kubernetes.io/docs/concepts/policy/resource-quotas/"
PSA_DOCS = "https://kubernetes.io/docs/concepts/security/pod-security-admission/"
PSS_DOCS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"


@rule(
    id="k8s-no-long-lived-service-account-tokens",
    title="Service accounts use projected, expiring tokens instead of token Secrets",
    severity="medium",
    category="governance",
    applies_to=[SECRET],
    description="A Secret of type kubernetes.io/service-account-token holds a token that never "
    "expires and stays valid until the Secret is deleted. Anyone who reads it once (a "
    "`get secrets` right, a backup, a leaked manifest or log) holds the service account's "
    "rights for good. Pods get bound, audience-scoped, expiring tokens through projected "
    "volumes, and `kubectl create token` issues short-lived ones for anything else.",
    risk="A leaked token keeps working indefinitely: persistent API access with the service account's rights.",
    remediation={
        "kubernetes": "# delete the token Secret; mount a projected, expiring token where one is needed\n"
        "volumes:\n  - name: api-token\n    projected:\n      sources:\n"
        "        - serviceAccountToken:\n            path: token\n            expirationSeconds: 3600\n"
        "            audience: my-api",
        "cli": "kubectl delete secret <name> -n <namespace>\nkubectl create token <service-account> --duration=1h",
    },
    references=[SA_TOKEN_SECRETS, SA_DOCS, LEGACY_TOKEN_CLEANER],
)
def no_long_lived_sa_tokens(r: Resource):
    if r.a["secret_type"] != SA_TOKEN_TYPE:
        return None
    sa = r.a.get("service_account")
    whom = f'service account "{sa}"' if sa else "a service account"
    return fail(f"is a long-lived, non-expiring token Secret for {whom}", at="secret_type")


@rule(
    id="k8s-secret-manifest-has-no-data",
    title="Secret manifests are committed without their values",
    severity="high",
    category="secrets",
    applies_to=[SECRET],
    description="A Secret written in a manifest with `data` or `stringData` puts the value in Git, "
    "where every clone, fork and CI log keeps it; base64 is an encoding, not encryption. "
    "Commit the Secret's shape only and let an operator fill it (External Secrets, Sealed "
    "Secrets, the Secrets Store CSI driver) or create it at deploy time. Applies to IaC "
    "only: a Secret read from a live cluster holds its data by design. The values are never "
    "read into the scan, so the finding names the keys, not what they hold.",
    risk="Credential disclosure to everyone with read access to the repository and its history.",
    remediation={
        "kubernetes": "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n"
        "  name: app-credentials\nspec:\n  secretStoreRef:\n    name: vault\n    kind: ClusterSecretStore\n"
        "  target:\n    name: app-credentials\n  data:\n    - secretKey: DB_PASSWORD\n"
        "      remoteRef:\n        key: app/db\n        property: password",
    },
    references=[
        SECRETS_GOOD_PRACTICES,
        "https://external-secrets.io/latest/",
        "https://github.com/bitnami-labs/sealed-secrets",
    ],
)
def secret_manifest_has_no_data(r: Resource):
    if r.source.kind != "iac" or not r.a["has_data"]:
        return None
    keys = list(r.a.get("keys", []))
    if not keys:
        return fail("the manifest carries data (the value is not shown)", at="has_data")
    return fail(f"the manifest carries values for {len(keys)} key(s): {', '.join(keys)}", at="keys")


@rule(
    id="k8s-gpu-inference-scales-to-zero",
    title="GPU inference services scale to zero when idle",
    severity="low",
    category="governance",
    applies_to=[WORKLOAD],
    description="A KServe InferenceService (default minReplicas 1) or a Knative Service with a "
    "min-scale above zero keeps GPU pods allocated while no request arrives. Serverless "
    "inference can release the GPU when idle: minReplicas: 0 on KServe (Serverless mode), "
    'autoscaling.knative.dev/min-scale: "0" on Knative. Where cold starts are not '
    "acceptable, mute this finding with the reason. Knative's default is read as 0, the "
    "stock cluster setting; a cluster that raises min-scale is not visible in a manifest.",
    risk="Idle GPU capacity: cost and accelerators held away from other tenants.",
    remediation={
        "kubernetes": "# KServe\nspec:\n  predictor:\n    minReplicas: 0\n"
        "# Knative\nspec:\n  template:\n    metadata:\n      annotations:\n"
        '        autoscaling.knative.dev/min-scale: "0"'
    },
    references=[
        "https://kserve.github.io/website/latest/modelserving/autoscaling/autoscaling/",
        "https://knative.dev/docs/serving/autoscaling/scale-to-zero/",
        "https://knative.dev/docs/serving/autoscaling/scale-bounds/",
    ],
    maturity="incubating",
)
def gpu_inference_scales_to_zero(r: Resource):
    gpu = gpu_state(r)
    if r.a["kind"] not in INFERENCE_KINDS or gpu is False:
        return None
    n = r.a.get("min_replicas")
    if n is None or n <= 0:
        return None
    if isinstance(gpu, Unresolved):
        return unknown(f"whether the service uses GPUs is unresolved ({gpu.expr})", "gpu")
    how = " (the default)" if r.provenance_of("min_replicas") == "default" else ""
    return fail(f"keeps {n} GPU replica(s) running when idle: min replicas is {n}{how}", at="min_replicas")


def gpu_workloads(ns: Resource, inventory: Inventory) -> tuple[list[str], Unresolved | None]:
    """Names of the scan's GPU workloads in this namespace, and an unresolved GPU state if
    one workload's could not be read."""
    names, unsure = [], None
    for w in in_namespace(inventory, WORKLOAD, ns.account, ns.name):
        g = gpu_state(w)
        if isinstance(g, Unresolved):
            unsure = unsure or g
        elif g:
            names.append(w.name)
    return sorted(names), unsure


def _gate(ns: Resource, inventory: Inventory):
    """(GPU workload names, None) when the namespace runs GPUs; (None, verdict or None) when
    the rule has nothing to check (no GPU workloads) or cannot tell."""
    names, unsure = gpu_workloads(ns, inventory)
    if names:
        return names, None
    if unsure is not None:
        return None, unknown(f"whether a workload in the namespace uses GPUs is unresolved ({unsure.expr})")
    return None, None


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


@rule(
    id="k8s-gpu-namespace-has-gpu-quota",
    title="Namespaces that run GPU workloads have a ResourceQuota on GPUs",
    severity="medium",
    category="governance",
    applies_to=[NAMESPACE],
    description="Without a ResourceQuota on requests.nvidia.com/gpu (or the vendor's resource) one "
    "team, or one runaway job or autoscaler, can take every GPU of a shared pool. For "
    "extended resources such as GPUs the quota controller counts only the requests.* form: "
    "limits.nvidia.com/gpu or a bare nvidia.com/gpu is accepted and never enforced. Checked "
    "for namespaces declared in the scan that run GPU workloads in it.",
    risk="GPU exhaustion and noisy neighbours across tenants; unbounded accelerator cost.",
    remediation={
        "kubernetes": "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: gpu\n  namespace: ml-serving\n"
        'spec:\n  hard:\n    requests.nvidia.com/gpu: "4"'
    },
    references=[QUOTA_DOCS + "#resource-quota-for-extended-resources", QUOTA_DOCS],
    maturity="incubating",
)
def gpu_namespace_has_gpu_quota(ns: Resource, inventory: Inventory):
    names, verdict = _gate(ns, inventory)
    if names is None:
        return verdict
    quota = ns.attrs.get("gpu_quota") or {}
    if any(key.startswith(ENFORCED_QUOTA_PREFIX) for key in quota):
        return None  # a count a template leaves unresolved still caps the namespace
    runs = f"runs GPU workloads ({_listed(names)})"
    if quota:
        return fail(
            f"{runs} but its GPU quota sets only {', '.join(sorted(quota))}, which the quota "
            "controller does not enforce for GPUs (use requests.<gpu resource>)",
            at="gpu_quota",
        )
    return fail(f"{runs} and no ResourceQuota caps its GPU requests", at="gpu_quota")


@rule(
    id="k8s-namespace-pod-security-enforced",
    title="Namespaces that run GPU workloads enforce the baseline or restricted Pod Security Standard",
    severity="medium",
    category="isolation",
    applies_to=[NAMESPACE],
    description="Pod Security Admission rejects privileged pods, host namespaces and hostPath volumes "
    "only in namespaces labelled pod-security.kubernetes.io/enforce: baseline or restricted. "
    "On a shared GPU node those are the ways out of the device plugin's allocation (every "
    "GPU's device node, another tenant's memory) and onto the node. Without the label the "
    "cluster's admission default applies, which is privileged unless configured otherwise; "
    "audit and warn modes log and warn but admit the pod.",
    risk="Privileged or host-sharing GPU pods admitted: cross-tenant GPU access and node compromise.",
    remediation={
        "kubernetes": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml-serving\n  labels:\n"
        "    pod-security.kubernetes.io/enforce: restricted\n"
        "    pod-security.kubernetes.io/enforce-version: latest"
    },
    references=[PSA_DOCS, PSS_DOCS],
    maturity="incubating",
)
def namespace_pod_security_enforced(ns: Resource, inventory: Inventory):
    names, verdict = _gate(ns, inventory)
    if names is None:
        return verdict
    level = ns.a["pod_security"].get("enforce")
    if level in ENFORCING_LEVELS:
        return None
    said = f"is {level}" if level else "is not set"
    return fail(
        f"runs GPU workloads ({_listed(names)}) and pod-security.kubernetes.io/enforce {said}",
        at="pod_security.enforce",
    )
