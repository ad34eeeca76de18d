"""Inference services on Kubernetes: KServe InferenceServices and Knative Services."""

from __future__ import annotations

from rules.k8s._common import WORKLOAD, is_inference, templates
from rules.sdk import fail, rule
from scanner.model.resource import Resource

KSERVE_AUTH = "https://kserve.github.io/website/latest/modelserving/servicemesh/istio/servicemesh/"
KNATIVE_VISIBILITY = "https://knative.dev/docs/serving/services/private-services/"

# Annotations that switch on authentication at the serving layer (KServe with Authorino /
# OpenShift AI), or that show an Istio security policy was wired for the service.
AUTH_ANNOTATIONS = ("serving.kserve.io/enable-auth", "security.opendatahub.io/enable-auth")
AUTH_ANNOTATION_PREFIXES = ("security.istio.io/",)


def has_auth(annotations) -> str | None:
    for key in AUTH_ANNOTATIONS:
        if str(annotations.get(key, "")).strip().lower() == "true":
            return key
    for key in annotations:
        if key.startswith(AUTH_ANNOTATION_PREFIXES):
            return key
    return None


@rule(
    id="k8s-inference-service-not-public",
    title="Inference services are cluster-local or require authentication",
    severity="high",
    category="network",
    applies_to=[WORKLOAD],
    description="A KServe InferenceService or Knative Service is published on the cluster's external "
    "ingress unless it is labelled cluster-local, and neither KServe nor Knative "
    "authenticates callers by default. Anyone who finds the hostname can query the model, "
    "run up GPU cost and attempt extraction or prompt injection.",
    risk="Unauthenticated model access, model extraction and GPU cost abuse.",
    remediation={
        "kubernetes": "metadata:\n  labels:\n    networking.knative.dev/visibility: cluster-local\n"
        "  # or, when it must be reachable, require auth:\n"
        '  annotations:\n    serving.kserve.io/enable-auth: "true"'
    },
    references=[KNATIVE_VISIBILITY, KSERVE_AUTH],
)
def inference_service_not_public(r: Resource):
    if not is_inference(r) or r.a.get("exposure") != "external":
        return None
    if has_auth(r.a.get("annotations", {})):
        return None
    return fail(
        f"{r.a['kind']} is exposed on the external ingress with no authentication annotation", at="exposure"
    )


@rule(
    id="k8s-inference-no-automount-token",
    title="Inference services do not mount a service account token",
    severity="medium",
    category="iam",
    applies_to=[WORKLOAD],
    description="A model server answers untrusted requests; if it is compromised (a deserialization or "
    "prompt-driven tool bug) a mounted service account token lets the attacker call the "
    "Kubernetes API, and through workload identity the cloud, with the pod's rights. Model "
    "servers rarely need the API: set automountServiceAccountToken: false on each component.",
    risk="Lateral movement from a compromised model server to the Kubernetes API and cloud.",
    remediation={"kubernetes": "spec:\n  predictor:\n    automountServiceAccountToken: false"},
    references=["https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/"],
    aliases=["CKV_K8S_38"],
)
def inference_no_automount_token(r: Resource):
    if not is_inference(r):
        return None
    out = []
    for t in templates(r):
        if t.get("automount_service_account_token") is not False:
            out.append(
                fail(
                    f"the {t.get('role')} pod mounts its service account token "
                    "(automountServiceAccountToken is not false)",
                    at=t.path_of("automount_service_account_token"),
                )
            )
    return out
