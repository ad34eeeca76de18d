"""Ingresses and Gateway API HTTPRoutes in front of inference and GPU workloads: the route is
followed to its Services and their selectors to the workloads' pods (`pod_templates[].labels`)."""

from __future__ import annotations

from rules.k8s._common import WORKLOAD, gpu_state, in_namespace, is_inference
from rules.k8s.inference import has_auth
from rules.k8s.network import SERVICE, _selected
from rules.sdk import fail, rule
from scanner.model.inventory import Inventory
from scanner.model.resource import Resource

INGRESS = "k8s.ingress"
INGRESS_TLS = "https://kubernetes.io/docs/concepts/services-networking/ingress/#tls"
NGINX_AUTH = "https://kubernetes.github.io/ingress-nginx/examples/auth/oauth-external-auth/"
ISTIO_AUTHZ = "https://istio.io/latest/docs/tasks/security/authorization/authz-jwt/"
GATEWAY_TLS = "https://gateway-api.sigs.k8s.io/guides/tls/"


def _serves_models(w: Resource) -> bool:
    return is_inference(w) or gpu_state(w) is True


def routed_workloads(ing: Resource, inventory: Inventory) -> list[Resource]:
    """Inference and GPU workloads behind the route's backends: the Services it names (and a
    Knative Service of that name, which gets a Service of its own name)."""
    names = set(ing.attrs.get("backends") or [])
    found: dict[str, Resource] = {}
    for svc in in_namespace(inventory, SERVICE, ing.account, ing.region):
        if svc.name in names:
            for w in _selected(svc, inventory):
                found.setdefault(w.uid, w)
    for w in in_namespace(inventory, WORKLOAD, ing.account, ing.region):
        if w.name in names and is_inference(w):
            found.setdefault(w.uid, w)
    return sorted((w for w in found.values() if _serves_models(w)), key=lambda w: w.uid)


@rule(
    id="k8s-inference-ingress-tls-and-auth",
    title="Ingresses and routes to inference workloads terminate TLS and authenticate callers",
    severity="medium",
    category="network",
    applies_to=[INGRESS],
    description="An Ingress or HTTPRoute publishes its backend Services to whoever reaches the "
    "controller, and model servers (vLLM, Triton, TGI, KServe/Knative predictors, Ray Serve) do "
    "not authenticate callers themselves. Two things fail for a route whose Services select an "
    "inference workload or a GPU workload in the scan: (1) an Ingress host without a TLS entry, "
    "so prompts, completions and API keys cross the network in clear text (for an HTTPRoute TLS "
    "is the Gateway listener's and is not checked here); (2) no authentication in front of the "
    "backend: none of the controller's auth annotations (ingress-nginx auth-url, which is how "
    "oauth2-proxy is wired, or auth-type; ALB auth-type; a Traefik middleware; Kong plugins) on "
    "the route, and no serving-layer auth annotation on the workload (serving.kserve.io/"
    "enable-auth, security.istio.io/*). Authentication enforced only by an Istio "
    "AuthorizationPolicy or a mesh outside the manifests is not visible: mute with that reason.",
    risk="Unauthenticated or eavesdropped access to model servers: extraction, abuse and GPU cost.",
    remediation={
        "kubernetes": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: llm\n"
        "  namespace: ml-serving\n  annotations:\n"
        "    nginx.ingress.kubernetes.io/auth-url: https://oauth2-proxy.example.com/oauth2/auth\n"
        "    nginx.ingress.kubernetes.io/auth-signin: https://oauth2-proxy.example.com/oauth2/start\n"
        "spec:\n  ingressClassName: nginx\n  tls:\n    - hosts: [llm.example.com]\n"
        "      secretName: llm-tls\n  rules:\n    - host: llm.example.com\n      http:\n"
        "        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n"
        "              service: {name: llm, port: {number: 80}}",
    },
    references=[INGRESS_TLS, NGINX_AUTH, ISTIO_AUTHZ, GATEWAY_TLS],
    maturity="incubating",
)
def inference_ingress_tls_and_auth(ing: Resource, inventory: Inventory):
    behind = routed_workloads(ing, inventory)
    if not behind:
        return None
    shown = ", ".join(f"{w.attrs.get('kind')} {w.name}" for w in behind[:4])
    shown += f" and {len(behind) - 4} more" if len(behind) > 4 else ""
    out = []
    if ing.attrs.get("kind") == "Ingress" and ing.attrs.get("tls") is False:
        out.append(fail(f"routes to {shown} and not every host has a TLS entry", at="tls"))
    if not ing.attrs.get("auth") and not all(has_auth(w.attrs.get("annotations") or {}) for w in behind):
        out.append(fail(f"routes to {shown} with no authentication annotation on the route", at="auth"))
    return out
