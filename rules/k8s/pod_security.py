"""Pod security for every workload: privilege, capabilities, escalation and root."""

from __future__ import annotations

from rules.k8s._common import WORKLOAD, containers, each, gpu_state, label
from rules.sdk import fail, rule
from scanner.model.resource import Resource

PSS = "https://kubernetes.io/docs/concepts/security/pod-security-standards/"
SECURITY_CONTEXT = "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"


@rule(
    id="k8s-container-not-privileged",
    title="Containers are not privileged",
    severity="high",
    category="isolation",
    applies_to=[WORKLOAD],
    description="A privileged container has every capability and every host device, with seccomp and "
    "AppArmor off. On a GPU node it sees every GPU even without requesting one. (GPU "
    "workloads are reported by k8s-gpu-container-not-privileged instead.)",
    risk="Container escape to the node.",
    remediation={"kubernetes": "securityContext:\n  privileged: false"},
    references=[PSS, SECURITY_CONTEXT],
    aliases=["CKV_K8S_16"],
)
def container_not_privileged(r: Resource):
    if gpu_state(r) is True:
        return None  # the GPU rule, at critical, owns this

    def check(t, c):
        if c.get("privileged") is True:
            return fail(f"{label(c)} is privileged", at=c.path_of("privileged"))
        return None

    return each(containers(r), check)


# Capabilities that break out of the container or into other tenants' processes:
# SYS_ADMIN also grants every NVIDIA capability, MIG reconfiguration included.
DANGEROUS_CAPABILITIES = (
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "MKNOD",
    "NET_ADMIN",
    "BPF",
    "PERFMON",
    "DAC_READ_SEARCH",
)


@rule(
    id="k8s-no-dangerous-capabilities",
    title="Containers add no capabilities that allow escape or host access",
    severity="high",
    category="isolation",
    applies_to=[WORKLOAD],
    description="SYS_ADMIN, SYS_MODULE, SYS_PTRACE, SYS_RAWIO, MKNOD, NET_ADMIN, BPF, PERFMON, "
    "DAC_READ_SEARCH (or ALL) each give a container a known way out of its namespaces or "
    "into other processes. CAP_SYS_ADMIN also grants every NVIDIA capability, including "
    "mig-config.",
    risk="Container escape, cross-tenant process and GPU access.",
    remediation={
        "kubernetes": "securityContext:\n  capabilities:\n    drop: [ALL]\n"
        "    add: []  # or only NET_BIND_SERVICE"
    },
    references=[
        PSS,
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
        "https://docs.nvidia.com/datacenter/tesla/mig-user-guide/",
    ],
    aliases=["CKV_K8S_39"],
)
def no_dangerous_capabilities(r: Resource):
    def check(t, c):
        bad = [cap for cap in c.get("capabilities_add", []) if cap in DANGEROUS_CAPABILITIES]
        if bad:
            return fail(f"{label(c)} adds {', '.join(bad)}", at=c.path_of("capabilities_add"), value=bad)
        return None

    return each(containers(r), check)


@rule(
    id="k8s-no-privilege-escalation",
    title="Containers set allowPrivilegeEscalation to false",
    severity="medium",
    category="isolation",
    applies_to=[WORKLOAD],
    description="Unless allowPrivilegeEscalation is false, the no_new_privs flag is not set and a "
    "process can gain privileges through setuid binaries or file capabilities. The default "
    "is true.",
    risk="Privilege escalation inside the container, a step towards escape.",
    remediation={"kubernetes": "securityContext:\n  allowPrivilegeEscalation: false"},
    references=[PSS, SECURITY_CONTEXT],
    aliases=["CKV_K8S_20"],
)
def no_privilege_escalation(r: Resource):
    def check(t, c):
        v = c.get("allow_privilege_escalation")
        if v is False:
            return None
        why = "allows privilege escalation" if v is True else "does not set allowPrivilegeEscalation: false"
        return fail(f"{label(c)} {why}", at=c.path_of("allow_privilege_escalation"))

    return each(containers(r), check)


@rule(
    id="k8s-run-as-non-root",
    title="Containers run as a non-root user",
    severity="medium",
    category="isolation",
    applies_to=[WORKLOAD],
    description="Without runAsNonRoot: true (on the container or the pod) or a non-zero runAsUser, the "
    "image decides the user, and most ML serving and training images run as root. Root in "
    "a container keeps root's file access on every mounted volume and widens any escape.",
    risk="Privilege escalation and write access to shared model and data volumes.",
    remediation={"kubernetes": "securityContext:\n  runAsNonRoot: true\n  runAsUser: 10001"},
    references=[PSS, SECURITY_CONTEXT],
    aliases=["CKV_K8S_23"],
)
def run_as_non_root(r: Resource):
    def check(t, c):
        uid = c.get("run_as_user")
        if uid == 0:
            return fail(f"{label(c)} runs as UID 0", at=c.path_of("run_as_user"))
        if c.get("run_as_non_root") is True or (isinstance(uid, int) and uid > 0):
            return None
        if c.get("run_as_non_root") is False:
            return fail(f"{label(c)} sets runAsNonRoot: false", at=c.path_of("run_as_non_root"))
        return fail(
            f"{label(c)} sets neither runAsNonRoot: true nor a non-zero runAsUser",
            at=c.path_of("run_as_non_root"),
        )

    return each(containers(r), check)
