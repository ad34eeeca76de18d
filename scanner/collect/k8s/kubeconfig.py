"""Which clusters to scan, and a kubernetes ApiClient for each.

Each kubeconfig context is one cluster. Its name becomes the resources' account (the
`<cluster>` of `k8s:<cluster>/<ns>/<kind>/<name>`), with "/" (EKS context names are ARNs)
replaced by ":" so a uid still splits on "/". In a pod (the scanner's CronJob) with no
kubeconfig given, the in-cluster service account is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

IN_CLUSTER = "in-cluster"


class KubeconfigError(Exception):
    """A kubeconfig that cannot be used, or a context that does not exist: a usage problem."""


@dataclass
class ClusterTarget:
    name: str  # the account in resource uids
    context: str | None  # None: in-cluster
    kubeconfig: str | None

    def client(self) -> Any:
        """A fresh kubernetes ApiClient for this cluster."""
        from kubernetes import client, config

        cfg = client.Configuration()
        try:
            if self.context is None:
                config.load_incluster_config(client_configuration=cfg)
            else:
                config.load_kube_config(
                    config_file=self.kubeconfig,
                    context=self.context,
                    client_configuration=cfg,
                    persist_config=False,
                )
        except (config.ConfigException, OSError) as e:
            raise KubeconfigError(f"context {self.context or IN_CLUSTER}: {e}") from e
        # Set before the client builds its connection pool, which keeps them: urllib3's own
        # retries (429 with Retry-After included, sleeping as long as the server asks) would
        # hide faults from the bounded policy in http.py.
        cfg.retries = False
        cfg.client_go_retries = False
        return client.ApiClient(cfg)


def account_name(context: str) -> str:
    return context.replace("/", ":")


def in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST"))


def resolve_targets(
    kubeconfig: str | None, contexts: tuple[str, ...], all_contexts: bool, cluster_name: str | None = None
) -> list[ClusterTarget]:
    """The clusters to scan. Without --kubeconfig: $KUBECONFIG or ~/.kube/config, unless the
    scanner runs in a pod and no such file exists, where it uses its service account."""
    from kubernetes import config

    if kubeconfig is None and not os.environ.get("KUBECONFIG") and in_cluster():
        if contexts or all_contexts:
            raise KubeconfigError("--context and --all-contexts need a kubeconfig; in a pod there is none")
        return [ClusterTarget(cluster_name or IN_CLUSTER, None, None)]
    path = kubeconfig or os.environ.get("KUBECONFIG", "").split(os.pathsep)[0] or None
    try:
        listed, active = config.list_kube_config_contexts(config_file=path)
    except (config.ConfigException, OSError) as e:
        where = path or config.KUBE_CONFIG_DEFAULT_LOCATION
        raise KubeconfigError(f"cannot read the kubeconfig {where}: {e}") from e
    names = [c["name"] for c in listed or []]
    if all_contexts:
        chosen = names
    elif contexts:
        missing = [c for c in contexts if c not in names]
        if missing:
            raise KubeconfigError(
                f"no context {', '.join(repr(m) for m in missing)} in the kubeconfig (it has: {', '.join(names)})"
            )
        chosen = list(dict.fromkeys(contexts))
    elif active:
        chosen = [active["name"]]
    else:
        raise KubeconfigError("the kubeconfig has no current-context: name one with --context")
    if cluster_name and len(chosen) > 1:
        raise KubeconfigError("--cluster-name names one cluster; it cannot be used with several contexts")
    return [ClusterTarget(cluster_name or account_name(c), c, path) for c in chosen]
