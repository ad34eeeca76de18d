"""Kubernetes audit against tenants (AUD-005 and the audit side of K8S-001/K8S-004):
interactive access into a tenant's pods, reads of another tenant's secrets, and pods
created in a tenant namespace with privileges or host mounts. Falco's k8s_audit rules
(Attach/Exec Pod, Create Privileged Pod, Create Sensitive Mount Pod) are the model."""

from __future__ import annotations

from runtime_monitor.audit.detections.base import Detector, Hit, Tally, detection
from runtime_monitor.audit.event import FAILURE

INTERACTIVE = {
    "create pods/exec": "exec",
    "get pods/exec": "exec",
    "create pods/attach": "attach",
    "get pods/attach": "attach",
    "create pods/portforward": "port-forward",
    "get pods/portforward": "port-forward",
    "patch pods/ephemeralcontainers": "ephemeral container",
    "update pods/ephemeralcontainers": "ephemeral container",
}
SECRET_READS = ("get secrets", "list secrets", "watch secrets")
POD_WRITES = ("create", "update", "patch")
NS_TYPE = "k8s.namespace"


def ns_uid(ns: str, cluster: str | None) -> str:
    """The Namespace's uid as the live Kubernetes scan writes it (scanner.normalize.k8s:
    ``k8s:<cluster>/<ns>/Namespace/<ns>``), so findings join the scan's resources; "audit"
    stands in for the cluster when its name was not given."""
    return f"k8s:{cluster or 'audit'}/{ns}/Namespace/{ns}"


class _TenantDetector(Detector):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.tallies: dict[tuple, Tally] = {}

    def _tenant(self, ev):
        if ev.provider != "k8s" or ev.outcome == FAILURE:
            return None
        return self.ctx.declared.tenant_of_namespace(ev.namespace)

    def _hits(self, reason_of) -> list[Hit]:
        out = []
        for key, t in sorted(self.tallies.items(), key=lambda kv: kv[0]):
            ns, principal, what = key[0], key[1], key[2]
            tenant = t.extra["tenant"]
            out.append(
                Hit(
                    self.meta.id,
                    ns_uid(ns, self.ctx.cluster),
                    NS_TYPE,
                    ns,
                    "k8s",
                    reason_of(principal, what, tenant, t),
                    f"{what}[{principal}]",
                    t.evidence(
                        principal=principal, tenant=tenant.name, policy_path=tenant.path, **t.extra["more"]
                    ),
                    file=t.where[0],
                    line=t.where[1],
                )
            )
        return out


@detection(
    id="audit-k8s-interactive-access-by-non-operator",
    check="AUD-005",
    title="Only a tenant's declared operators exec, attach, port-forward or add ephemeral containers "
    "into its pods",
    severity="high",
    category="anomaly",
    risk="An interactive session in a tenant's inference or training pod reads its models, data and "
    "mounted credentials, and runs code with its identity.",
    remediation={
        "kubernetes": "Grant pods/exec, pods/attach, pods/portforward and pods/ephemeralcontainers only to "
        "the tenant's operators (a Role bound to them), and investigate the session.",
    },
    references=[
        "https://github.com/falcosecurity/plugins/blob/main/plugins/k8saudit/rules/k8s_audit_rules.yaml"
    ],
)
class InteractiveAccess(_TenantDetector):
    """exec, attach, port-forward or ephemeral containers into a tenant namespace's pods by
    anyone but the tenant's operators and the platform; an outcome the log does not record
    (no response status) counts as an attempt that may have succeeded."""

    def observe(self, ev, assets) -> None:
        what = INTERACTIVE.get(ev.action)
        tenant = self._tenant(ev) if what else None
        if tenant is None:
            return
        decl = self.ctx.declared
        if decl.is_operator(ev, tenant) or decl.is_platform(ev):
            return
        pod = ev.resources[0].split("/")[2] if ev.resources and ev.resources[0].count("/") >= 2 else ""
        t = self.tallies.setdefault(
            (ev.namespace, ev.principal, what), Tally(extra={"tenant": tenant, "more": {"pods": []}})
        )
        t.add(ev)
        pods = t.extra["more"]["pods"]
        if pod and pod not in pods and len(pods) < 20:
            pods.append(pod)

    def hits(self):
        return self._hits(
            lambda p, what, tenant, t: (
                f"{p}, not an operator of tenant {tenant.name}, opened {t.count} "
                f"{what} session(s) into pods {', '.join(t.extra['more']['pods']) or '(unnamed)'}"
            )
        )


@detection(
    id="audit-k8s-cross-tenant-secret-read",
    check="AUD-005",
    title="A tenant's Kubernetes secrets are read only by the tenant, its operators and the platform",
    severity="high",
    category="anomaly",
    risk="Reading another tenant's secrets hands over its registry, storage and API credentials.",
    remediation={
        "kubernetes": "Remove the RoleBinding or ClusterRoleBinding that lets the reader get secrets "
        "in the namespace, and rotate the secrets that were read."
    },
)
class CrossTenantSecretRead(_TenantDetector):
    """get, list or watch of secrets in a tenant namespace by a principal that is neither
    the tenant's, its operators' nor the control plane's."""

    def observe(self, ev, assets) -> None:
        if ev.action not in SECRET_READS:
            return
        tenant = self._tenant(ev)
        if tenant is None:
            return
        decl = self.ctx.declared
        if decl.is_tenant_principal(tenant, ev) or decl.is_operator(ev, tenant) or decl.is_platform(ev):
            return
        other = next(
            (t.name for t in decl.policy.tenants if t is not tenant and decl.is_tenant_principal(t, ev)), ""
        )
        names = [r.split("/")[2] for r in ev.resources if r.count("/") >= 2]
        t = self.tallies.setdefault(
            (ev.namespace, ev.principal, "secrets"),
            Tally(extra={"tenant": tenant, "more": {"reader_tenant": other or None, "secrets": []}}),
        )
        t.add(ev)
        secrets = t.extra["more"]["secrets"]
        for n in names:
            if n not in secrets and len(secrets) < 20:
                secrets.append(n)

    def hits(self):
        def reason(p, what, tenant, t):
            who = (
                f"{p} (tenant {t.extra['more']['reader_tenant']})" if t.extra["more"]["reader_tenant"] else p
            )
            names = ", ".join(t.extra["more"]["secrets"]) or "(all)"
            return f"{who} read secrets of tenant {tenant.name}: {names} ({t.count} request(s))"

        return self._hits(reason)


@detection(
    id="audit-k8s-privileged-pod-in-tenant-namespace",
    check="K8S-004",
    title="No privileged, host-namespace or host-mount pod is created in a tenant namespace",
    severity="high",
    category="isolation",
    risk="A privileged pod or a hostPath mount on a shared GPU node reaches every GPU and the host, "
    "and so every other tenant on it.",
    remediation={
        "kubernetes": "Enforce the restricted Pod Security Standard on tenant namespaces "
        "(pod-security.kubernetes.io/enforce: restricted)."
    },
    references=["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
)
class PrivilegedPod(_TenantDetector):
    """A pod, or a workload's pod template, created or changed in a tenant namespace with a
    privileged container, dangerous capabilities, host namespaces or hostPath volumes (read
    from the logged requestObject), unless the policy declares an exception."""

    def observe(self, ev, assets) -> None:
        if not ev.request or ev.request.get("logged") is False:
            return
        verb = ev.action.split(" ", 1)[0]
        if verb not in POD_WRITES and not ev.action.endswith("/ephemeralcontainers"):
            return
        tenant = self._tenant(ev)
        if tenant is None or ev.namespace in self.ctx.declared.policy.defaults.privileged_namespaces:
            return
        name = ev.resources[0].split("/")[2] if ev.resources and ev.resources[0].count("/") >= 2 else "*"
        for what in sorted(k for k in ev.request if k != "logged"):
            check = (
                "K8S-001" if what == "privileged" else ("K8S-003" if what == "capabilities" else "K8S-004")
            )
            if self.ctx.declared.policy.is_exception(check, ev.namespace, name, ev.iso_time[:10]):
                continue
            t = self.tallies.setdefault(
                (ev.namespace, ev.principal, what), Tally(extra={"tenant": tenant, "more": {"objects": {}}})
            )
            t.add(ev)
            objs = t.extra["more"]["objects"]
            if len(objs) < 20:
                objs[ev.resources[0] if ev.resources else name] = ev.request[what]

    def hits(self):
        return self._hits(
            lambda p, what, tenant, t: (
                f"{p} created {what.replace('_', ' ')} pods in tenant {tenant.name}'s "
                f"namespace: {', '.join(f'{k} {v}' for k, v in t.extra['more']['objects'].items())}"
            )
        )
