"""Network exposure on Kubernetes: inference and GPU pods behind public load balancers, and
GPU namespaces without a default-deny ingress policy. Selectors are matched against the
labels each workload's pods carry (``pod_templates[].labels``)."""

from __future__ import annotations

from rules.k8s._common import WORKLOAD, gpu_state, in_namespace, is_inference
from rules.k8s.governance import gpu_workloads
from rules.sdk import fail, rule, unknown
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource, Unresolved

SERVICE = "k8s.service"
NAMESPACE = "k8s.namespace"
NETWORK_POLICY = "k8s.network_policy"
OPEN_RANGES = {"0.0.0.0/0", "::/0"}

SERVICE_DOCS = "https://kubernetes.io/docs/concepts/services-networking/service/#loadbalancer"
INTERNAL_LB = "https://kubernetes.io/docs/concepts/services-networking/service/#internal-load-balancer"
NETPOL_DOCS = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"


def selects(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _selected(svc: Resource, inventory: Inventory) -> list[Resource]:
    selector = svc.attrs.get("selector") or {}
    out = []
    for w in in_namespace(inventory, WORKLOAD, svc.account, svc.region):
        if any(selects(selector, t.get("labels") or {}) for t in w.attrs.get("pod_templates", [])):
            out.append(w)
    return out


@rule(
    id="k8s-inference-not-exposed-by-loadbalancer",
    title="Inference and GPU workloads are not exposed by an internet-facing LoadBalancer Service",
    severity="high",
    category="network",
    applies_to=[SERVICE],
    description="A Service of type LoadBalancer gets a cloud load balancer that is internet-facing "
    "unless an annotation makes it internal (service.beta.kubernetes.io/aws-load-balancer-scheme: "
    "internal, networking.gke.io/load-balancer-type: Internal, "
    'service.beta.kubernetes.io/azure-load-balancer-internal: "true", ...). Model servers (KServe, '
    "Knative, Triton, vLLM) and GPU pods (Ray heads, notebooks) behind it answer anyone: model "
    "theft, prompt abuse, GPU cost, and unauthenticated admin APIs. Put them behind an "
    "authenticating ingress or gateway, or make the load balancer internal. A Service whose "
    "loadBalancerSourceRanges leave out 0.0.0.0/0 passes. The selector is matched to the labels "
    "of the workloads' pods in the scan.",
    risk="Unauthenticated access from the internet to model servers and GPU workloads.",
    remediation={
        "kubernetes": "apiVersion: v1\nkind: Service\nmetadata:\n  name: llm\n  annotations:\n"
        "    service.beta.kubernetes.io/aws-load-balancer-scheme: internal\n"
        "    networking.gke.io/load-balancer-type: Internal\nspec:\n  type: LoadBalancer\n"
        "  selector:\n    app: llm\n  ports:\n    - port: 80\n      targetPort: 8000",
    },
    references=[
        SERVICE_DOCS,
        INTERNAL_LB,
        "https://kserve.github.io/website/latest/admin/serverless/servicemesh/",
    ],
)
def inference_not_exposed_by_loadbalancer(svc: Resource, inventory: Inventory):
    if svc.a["service_type"] != "LoadBalancer" or svc.a["internal_load_balancer"]:
        return None
    ranges = svc.attrs.get("load_balancer_source_ranges") or []
    if ranges and not OPEN_RANGES & set(ranges):
        return None
    exposed, unsure = [], None
    for w in _selected(svc, inventory):
        g = gpu_state(w)
        if is_inference(w) or g is True:
            exposed.append(f"{w.attrs.get('kind')} {w.name}")
        elif isinstance(g, Unresolved):
            unsure = unsure or g
    if exposed:
        return fail(
            f"is an internet-facing load balancer in front of {', '.join(sorted(exposed))}",
            at="internal_load_balancer",
        )
    if unsure is not None:
        return unknown(f"whether a selected workload uses GPUs is unresolved ({unsure.expr})", "selector")
    return None


@rule(
    id="k8s-gpu-namespace-default-deny",
    title="Namespaces that run GPU workloads have a default-deny ingress NetworkPolicy",
    severity="medium",
    category="network",
    applies_to=[NAMESPACE],
    aliases=["CKV2_K8S_6"],
    description="Without a NetworkPolicy every pod accepts traffic from every other pod in the "
    "cluster, so one tenant's compromised pod reaches another tenant's model servers, Ray "
    "dashboards and Jupyter kernels, which rarely authenticate in-cluster calls. A policy with an "
    "empty podSelector, policyTypes [Ingress] and no ingress rules isolates every pod of the "
    "namespace; allow-policies then open what is needed. Checked for namespaces declared in the "
    "scan that run GPU workloads. A cluster-wide default deny written in a CNI's own kind "
    "(Calico GlobalNetworkPolicy, Cilium CCNP) is not visible here: mute with that reason.",
    risk="Lateral movement between tenants to GPU workloads and model endpoints.",
    remediation={
        "kubernetes": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n"
        "  name: default-deny-ingress\n  namespace: ml-serving\nspec:\n  podSelector: {}\n"
        "  policyTypes:\n    - Ingress",
    },
    references=[NETPOL_DOCS + "#default-deny-all-ingress-traffic", NETPOL_DOCS],
    maturity="incubating",
)
def gpu_namespace_default_deny(ns: Resource, inventory: Inventory):
    names, unsure = gpu_workloads(ns, inventory)
    if not names:
        if unsure is not None:
            return unknown(f"whether a workload in the namespace uses GPUs is unresolved ({unsure.expr})")
        return None
    for p in in_namespace(inventory, NETWORK_POLICY, ns.account, ns.name):
        if p.attrs.get("default_deny_ingress"):
            return None
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return fail(f"runs GPU workloads ({shown}) and no NetworkPolicy denies ingress by default", at="labels")
