"""Secrets written into manifests: literal env values and ConfigMap data."""

from __future__ import annotations

import re

from rules.k8s._common import CONFIG_MAP, WORKLOAD
from rules.sdk import fail, rule
from scanner.model.resource import Resource

_ENV_PATH = re.compile(r"^pod_templates\[(\d+)\]\.containers\[(\d+)\]\.env\.(.+)$")
SECRETS_DOC = "https://kubernetes.io/docs/concepts/configuration/secret/"


def _container_name(r: Resource, t: int, c: int):
    try:
        return r.attrs["pod_templates"][t]["containers"][c].get("name")
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


@rule(
    id="k8s-env-no-secrets",
    title="Workloads keep no secrets in literal environment variables",
    severity="critical",
    category="secrets",
    applies_to=[WORKLOAD],
    description="A token, key or password written as an env value sits in the manifest, in Git, in the "
    "object (readable by anyone who can get the pod or its controller) and in every log "
    "that prints the spec. Read it from a Secret (ideally mounted as a file) or an external "
    "secret store instead.",
    risk="Credential disclosure: model hub tokens, cloud keys, database passwords.",
    remediation={
        "kubernetes": "env:\n  - name: HF_TOKEN\n    valueFrom:\n      secretKeyRef:\n"
        "        name: hf-token\n        key: token"
    },
    references=[SECRETS_DOC, "https://kubernetes.io/docs/concepts/security/secrets-good-practices/"],
)
def env_no_secrets(r: Resource):
    out = []
    for d in r.attrs.get("secrets", []):
        m = _ENV_PATH.match(str(d.get("path", "")))
        if not m:
            continue
        name = _container_name(r, int(m.group(1)), int(m.group(2)))
        who = f'container "{name}"' if isinstance(name, str) and name else "a container"
        out.append(fail(f"{who} has a {d.get('kind')} in env var {m.group(3)}", at=d["path"]))
    return out


@rule(
    id="k8s-configmap-no-secrets",
    title="ConfigMaps hold no secrets",
    severity="high",
    category="secrets",
    applies_to=[CONFIG_MAP],
    description="ConfigMap data is not encrypted at rest by default, is readable with ordinary `get "
    "configmaps` rights and is often printed by tooling. Credentials belong in a Secret or "
    "an external secret store.",
    risk="Credential disclosure to anyone who can read ConfigMaps in the namespace.",
    remediation={
        "kubernetes": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-credentials\n"
        "type: Opaque\nstringData:\n  DB_PASSWORD: <from your secret store>"
    },
    references=[SECRETS_DOC, "https://kubernetes.io/docs/concepts/configuration/configmap/"],
)
def configmap_no_secrets(r: Resource):
    out = []
    for d in r.attrs.get("secrets", []):
        path = str(d.get("path", ""))
        if path.startswith("data."):
            out.append(fail(f"key {path[5:]} holds a {d.get('kind')}", at=path))
    return out
