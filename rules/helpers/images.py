"""Container image references and model sources: what registry an image comes from, whether
it is pinned by digest, and whether a model URI is fetched in a way that can be tampered with.
Pure string handling, shared by the AWS, GCP and Kubernetes supply-chain rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
# Registries anyone can push to or pull from without the organisation's control.
PUBLIC_REGISTRIES = frozenset(
    {
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "ghcr.io",
        "quay.io",
        "public.ecr.aws",
        "nvcr.io",
        "gcr.io",
        "mirror.gcr.io",
        "registry.k8s.io",
        "k8s.gcr.io",
        "mcr.microsoft.com",
        "registry.gitlab.com",
        "docker.pkg.github.com",
        "huggingface.co",
    }
)
_ECR = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
_ARTIFACT_REGISTRY = re.compile(r"^[a-z0-9-]+-docker\.pkg\.dev$")
_GCR_PROJECT = re.compile(r"^([a-z]+\.)?gcr\.io$")  # project registries on gcr.io (legacy, private)
# AWS-owned ECR accounts for SageMaker/DLC images are ECR too: treated as private registries
# (they are AWS-controlled, not a third party's).


@dataclass(frozen=True)
class ImageRef:
    registry: str  # "docker.io" when implicit
    repository: str  # "library/nginx" for Docker Hub official images
    tag: str | None
    digest: str | None  # "sha256:..."

    @property
    def pinned(self) -> bool:
        """Pinned by a content digest (immutable)."""
        return self.digest is not None and bool(_DIGEST.match(self.digest))

    @property
    def mutable_tag(self) -> bool:
        """Referenced by tag only: the registry can serve different content tomorrow."""
        return not self.pinned

    @property
    def latest(self) -> bool:
        """No tag at all (which means ``latest``) or ``latest`` itself, with no digest."""
        return not self.pinned and (self.tag is None or self.tag == "latest")

    @property
    def private(self) -> bool:
        return is_private_registry(self.registry, self.repository)

    @property
    def public(self) -> bool:
        return not self.private


def parse_image(ref: str) -> ImageRef | None:
    """Parse ``[registry/]repository[:tag][@digest]`` the way Docker does; None if it is not
    an image reference."""
    if not isinstance(ref, str):
        return None
    s = ref.strip()
    if not s or any(ch.isspace() for ch in s) or "${" in s:
        return None
    digest = None
    if "@" in s:
        s, digest = s.split("@", 1)
        if not digest:
            return None
    tag = None
    slash = s.rfind("/")
    colon = s.rfind(":")
    if colon > slash:
        s, tag = s[:colon], s[colon + 1 :]
        if not tag:
            return None
    if not s:
        return None
    first, _, rest = s.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first.lower(), rest
    else:
        registry, repository = DOCKER_HUB, s
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    return ImageRef(registry, repository, tag, digest)


def is_private_registry(registry: str, repository: str = "") -> bool:
    """ECR, Artifact Registry, a gcr.io project registry, or a self-hosted registry."""
    host = registry.split(":", 1)[0].lower()
    if _ECR.match(host) or _ARTIFACT_REGISTRY.match(host):
        return True
    if host in PUBLIC_REGISTRIES and not _GCR_PROJECT.match(host):
        return False
    if _GCR_PROJECT.match(host):
        # gcr.io/<project>/...: a project's own registry, except Google's public mirrors
        project = repository.split("/", 1)[0]
        return project not in {
            "google-containers",
            "google_containers",
            "distroless",
            "cloud-builders",
            "deeplearning-platform-release",
            "kaniko-project",
            "google.com",
        }
    # anything else is a registry of the organisation's own (harbor.corp.example, localhost:5000)
    return not host.endswith((".docker.io", ".quay.io", ".ghcr.io"))


# ------------------------------------------------------------------------- model sources
_HTTP = re.compile(r"^http://", re.I)
# Model hubs that serve whatever the owner last pushed unless a revision is pinned.
_HUB_SCHEMES = ("hf://", "huggingface://")
_HUB_HOSTS = ("huggingface.co/", "www.huggingface.co/")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def model_source_problem(uri: str) -> str | None:
    """Why a model URI is unsafe to fetch, or None: plain HTTP (tamperable in transit), or a
    public model hub without a pinned commit revision."""
    if not isinstance(uri, str) or not uri.strip():
        return None
    u = uri.strip()
    if _HTTP.match(u):
        return "the model is downloaded over plain http://"
    low = u.lower()
    hub = None
    if low.startswith(_HUB_SCHEMES):
        hub = u.split("://", 1)[1]
    else:
        for prefix in ("https://", ""):
            for host in _HUB_HOSTS:
                if low.startswith(prefix + host):
                    hub = u[len(prefix + host) :]
    if hub is None:
        return None
    revision = _hub_revision(hub)
    if revision is None:
        return "the model comes from a public hub with no pinned revision"
    if not _COMMIT.match(revision.lower()):
        return f"the model comes from a public hub pinned to a movable revision ({revision!r})"
    return None


def _hub_revision(path: str) -> str | None:
    """`org/model@rev`, `org/model:rev` or `org/model/resolve|tree/<rev>/...`."""
    if "@" in path:
        return path.rsplit("@", 1)[1] or None
    parts = path.strip("/").split("/")
    for i, p in enumerate(parts):
        if p in ("resolve", "tree", "blob") and i + 1 < len(parts):
            return parts[i + 1]
    if ":" in parts[-1]:
        return parts[-1].split(":", 1)[1] or None
    return None
