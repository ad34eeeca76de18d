"""Network exposure objects -> `k8s.network_policy`, `k8s.service` (core/v1) and
`k8s.ingress` (an Ingress or a Gateway API HTTPRoute).

Which pods a Service or a policy selects is decided by the rules over the inventory (the
pods' workload may be in another file): here each object only says what it selects.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model.resource import Resource, SourceRef

from .annotations import safe_annotations, suppressions
from .base import base, finish
from .pod import Collected
from .values import as_int, as_list, as_map, as_str, key_line, str_map

NETWORK_POLICY = "k8s.network_policy"
SERVICE = "k8s.service"
INGRESS = "k8s.ingress"

# Annotation -> the values that make a cloud load balancer internal (lower case).
INTERNAL_LB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": {"true", "0.0.0.0/0"},
    "service.beta.kubernetes.io/aws-load-balancer-scheme": {"internal"},
    "networking.gke.io/load-balancer-type": {"internal"},
    "cloud.google.com/load-balancer-type": {"internal"},
    "service.beta.kubernetes.io/azure-load-balancer-internal": {"true"},
    "service.beta.kubernetes.io/oci-load-balancer-internal": {"true"},
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": {"intranet"},
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": {"private"},
}
AWS_SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme"
AWS_LB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"
# The AWS Load Balancer Controller makes internal NLBs unless told internet-facing.
AWS_LBC_TYPES = {"external", "nlb-ip"}
AWS_LBC_CLASS = "service.k8s.aws/nlb"

# Annotations by which an ingress controller authenticates requests before the backend.
AUTH_ANNOTATIONS = {
    "nginx.ingress.kubernetes.io/auth-url": "ingress-nginx external auth",
    "nginx.ingress.kubernetes.io/auth-type": "ingress-nginx basic/digest auth",
    "nginx.ingress.kubernetes.io/auth-tls-verify-client": "ingress-nginx client certificates",
    "alb.ingress.kubernetes.io/auth-type": "AWS ALB authentication",
    "traefik.ingress.kubernetes.io/router.middlewares": "Traefik middlewares",
    "konghq.com/plugins": "Kong plugins",
    "ingress.kubernetes.io/auth-type": "basic auth",
}
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def _annotations(meta: Mapping, out: Collected) -> tuple[Mapping, dict]:
    raw = as_map(meta.get("annotations"), "metadata.annotations")
    kept, dets = safe_annotations(raw)
    out.secrets.extend(dets)
    return raw, kept


# ------------------------------------------------------------------ NetworkPolicy
def _selector(v, where: str) -> dict:
    sel = as_map(v, where)
    exprs = []
    for i, e in enumerate(as_list(sel.get("matchExpressions"), f"{where}.matchExpressions")):
        e = as_map(e, f"{where}.matchExpressions[{i}]")
        values = [str(x) for x in as_list(e.get("values"), f"{where}.matchExpressions[{i}].values")]
        exprs.append({"key": str(e.get("key")), "operator": str(e.get("operator")), "values": values})
    return {
        "match_labels": str_map(sel.get("matchLabels"), f"{where}.matchLabels"),
        "match_expressions": exprs,
    }


def normalize_network_policy(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = base(obj, NETWORK_POLICY, source, account)
    r.suppressions = suppressions(as_map(meta.get("annotations"), "metadata.annotations"))
    spec = as_map(obj.get("spec"), "spec")
    selector = _selector(spec.get("podSelector"), "spec.podSelector")
    ingress = [
        as_map(x, f"spec.ingress[{i}]") for i, x in enumerate(as_list(spec.get("ingress"), "spec.ingress"))
    ]
    egress = as_list(spec.get("egress"), "spec.egress")
    types = [t for t in as_list(spec.get("policyTypes"), "spec.policyTypes") if isinstance(t, str)]
    if not types:  # the API server's default: Ingress always, Egress when egress rules are written
        types = ["Ingress"] + (["Egress"] if egress else [])
        out.default("policy_types")
    selects_all = not selector["match_labels"] and not selector["match_expressions"]
    for path, key in (("pod_selector", "podSelector"), ("policy_types", "policyTypes")):
        out.line(path, key_line(spec, key))
    out.line("ingress_rules", key_line(spec, "ingress"))
    out.line("egress_rules", key_line(spec, "egress"))
    attrs = {
        "namespace": r.region,
        "pod_selector": selector,
        "selects_all_pods": selects_all,
        "policy_types": types,
        "ingress_rules": len(ingress),
        "egress_rules": len(egress),
        "ingress_allows_all": any(not x.get("from") for x in ingress),
        "default_deny_ingress": selects_all and "Ingress" in types and not ingress,
        "default_deny_egress": selects_all and "Egress" in types and not egress,
    }
    return finish(r, out, attrs, secrets=False)


# ------------------------------------------------------------------ Service
def internal_lb(annotations: Mapping, lb_class) -> bool:
    for key, values in INTERNAL_LB_ANNOTATIONS.items():
        v = annotations.get(key)
        if isinstance(v, str) and v.strip().lower() in values:
            return True
    if AWS_SCHEME in annotations:
        return False  # written, and not "internal": internet-facing
    lbc = str(annotations.get(AWS_LB_TYPE, "")).lower() in AWS_LBC_TYPES or lb_class == AWS_LBC_CLASS
    return lbc


def _ports(spec: Mapping) -> list[dict]:
    ports = []
    for i, p in enumerate(as_list(spec.get("ports"), "spec.ports")):
        p = as_map(p, f"spec.ports[{i}]")
        target = p.get("targetPort")
        ports.append(
            {
                "name": as_str(p.get("name")),
                "port": as_int(p.get("port")),
                "target_port": as_str(target) if isinstance(target, str) else as_int(target),
                "node_port": as_int(p.get("nodePort")),
                "protocol": as_str(p.get("protocol")) or "TCP",
            }
        )
    return ports


def normalize_service(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = base(obj, SERVICE, source, account)
    raw, kept = _annotations(meta, out)
    r.suppressions = suppressions(raw)
    spec = as_map(obj.get("spec"), "spec")
    stype = as_str(spec.get("type"))
    if stype is None:
        stype = "ClusterIP"
        out.default("service_type")
    lb_class = as_str(spec.get("loadBalancerClass"))
    out.line("service_type", key_line(spec, "type"))
    out.line("selector", key_line(spec, "selector"))
    out.line("ports", key_line(spec, "ports"))
    out.line("internal_load_balancer", key_line(meta, "annotations") or key_line(spec, "type"))
    out.line("load_balancer_source_ranges", key_line(spec, "loadBalancerSourceRanges"))
    attrs = {
        "namespace": r.region,
        "service_type": stype,
        "ports": _ports(spec),
        "selector": str_map(spec.get("selector"), "spec.selector"),
        "annotations": kept,
        "load_balancer_class": lb_class,
        "internal_load_balancer": internal_lb(raw, lb_class),
        "load_balancer_source_ranges": [
            str(x) for x in as_list(spec.get("loadBalancerSourceRanges"), "spec.loadBalancerSourceRanges")
        ],
        "external_ips": [str(x) for x in as_list(spec.get("externalIPs"), "spec.externalIPs")],
    }
    return finish(r, out, attrs)


# ------------------------------------------------------------------ Ingress and HTTPRoute
def _auth(annotations: Mapping) -> str | None:
    for key, what in AUTH_ANNOTATIONS.items():
        if annotations.get(key):
            return what
    return None


def _ingress_backends(spec: Mapping) -> list[str]:
    names = []
    default = as_map(as_map(spec.get("defaultBackend"), "spec.defaultBackend").get("service"), "service")
    if isinstance(default.get("name"), str):
        names.append(default["name"])
    for i, rule in enumerate(as_list(spec.get("rules"), "spec.rules")):
        http = as_map(as_map(rule, f"spec.rules[{i}]").get("http"), f"spec.rules[{i}].http")
        for j, p in enumerate(as_list(http.get("paths"), f"spec.rules[{i}].http.paths")):
            backend = as_map(as_map(p, f"spec.rules[{i}].http.paths[{j}]").get("backend"), "backend")
            svc = as_map(backend.get("service"), "backend.service")
            name = svc.get("name") or backend.get("serviceName")  # networking/v1 or the old v1beta1
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


def normalize_ingress(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = base(obj, INGRESS, source, account)
    raw, kept = _annotations(meta, out)
    r.suppressions = suppressions(raw)
    spec = as_map(obj.get("spec"), "spec")
    hosts = []
    for i, rule in enumerate(as_list(spec.get("rules"), "spec.rules")):
        host = as_map(rule, f"spec.rules[{i}]").get("host")
        hosts.append(host if isinstance(host, str) and host else "*")
    tls_hosts = set()
    for i, t in enumerate(as_list(spec.get("tls"), "spec.tls")):
        tls_hosts |= {
            str(h) for h in as_list(as_map(t, f"spec.tls[{i}]").get("hosts"), f"spec.tls[{i}].hosts")
        }
    cls = as_str(spec.get("ingressClassName")) or as_str(raw.get(INGRESS_CLASS_ANNOTATION))
    out.line("hosts", key_line(spec, "rules"))
    out.line("tls", key_line(spec, "tls") or key_line(spec, "rules"))
    out.line("auth", key_line(meta, "annotations") or key_line(meta, "name"))
    attrs = {
        "kind": "Ingress",
        "namespace": r.region,
        "ingress_class": cls,
        "hosts": hosts,
        "tls": bool(hosts) and all(h in tls_hosts for h in hosts),
        "backends": _ingress_backends(spec),
        "annotations": kept,
        "auth": _auth(raw),
    }
    return finish(r, out, attrs)


def normalize_http_route(obj: Mapping, source: SourceRef, account: str) -> Resource:
    r, meta, out = base(obj, INGRESS, source, account)
    raw, kept = _annotations(meta, out)
    r.suppressions = suppressions(raw)
    spec = as_map(obj.get("spec"), "spec")
    hosts = [str(h) for h in as_list(spec.get("hostnames"), "spec.hostnames")] or ["*"]
    gateways = []
    for i, p in enumerate(as_list(spec.get("parentRefs"), "spec.parentRefs")):
        name = as_map(p, f"spec.parentRefs[{i}]").get("name")
        if isinstance(name, str):
            gateways.append(name)
    backends: list[str] = []
    for i, rule in enumerate(as_list(spec.get("rules"), "spec.rules")):
        refs = as_list(as_map(rule, f"spec.rules[{i}]").get("backendRefs"), f"spec.rules[{i}].backendRefs")
        for j, b in enumerate(refs):
            b = as_map(b, f"spec.rules[{i}].backendRefs[{j}]")
            if (
                b.get("kind", "Service") == "Service"
                and isinstance(b.get("name"), str)
                and b["name"] not in backends
            ):
                backends.append(b["name"])
    out.line("hosts", key_line(spec, "hostnames") or key_line(spec, "rules"))
    out.line("ingress_class", key_line(spec, "parentRefs"))
    attrs = {
        "kind": "HTTPRoute",
        "namespace": r.region,
        "ingress_class": ",".join(gateways) or None,
        "hosts": hosts,
        "tls": None,  # terminated at the Gateway's listener
        "backends": backends,
        "annotations": kept,
        "auth": _auth(raw),
    }
    return finish(r, out, attrs)
