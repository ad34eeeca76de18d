"""What a GCP scan reads and how it reaches the APIs (scope, regions, endpoint overrides)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .faults import RetryPolicy

# Where Vertex AI, Cloud Run and Artifact Registry are usually deployed; --regions overrides.
DEFAULT_REGIONS = (
    "us-central1",
    "us-east1",
    "us-east4",
    "us-west1",
    "europe-west1",
    "europe-west4",
    "asia-northeast1",
    "asia-southeast1",
)
# Artifact Registry multi-regions, read besides the regions.
AR_MULTI_REGIONS = ("us", "europe", "asia")
REST_APIS = (
    "cloudresourcemanager",
    "aiplatform",
    "notebooks",
    "run",
    "cloudfunctions",
    "storage",
    "artifactregistry",
    "secretmanager",
)


@dataclass
class GcpSettings:
    projects: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=lambda: list(DEFAULT_REGIONS))
    # REST base URLs: "*" for every REST API, or an API name (see REST_APIS) for one
    endpoints: dict[str, str] = field(default_factory=dict)
    iam_endpoint: str | None = None  # HOST:PORT of the gRPC IAM admin API
    anonymous: bool = False  # no credentials at all: for local stand-ins and emulators
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    workers: int = 8
    ancestors: bool = True  # also read the IAM policies of each project's folders and organization
    shard: tuple[int, int] | None = None  # (INDEX, COUNT): only the projects in this shard (scanner.shard)
    # --regions given: scan exactly these; otherwise Vertex AI's own location list decides
    regions_given: bool = False

    def mine(self, project_id: str) -> bool:
        from scanner.shard import in_shard

        return self.shard is None or in_shard(project_id, *self.shard)

    def endpoint_for(self, api: str) -> str | None:
        return self.endpoints.get(api) or self.endpoints.get("*")


def is_loopback(hostport: str) -> bool:
    """True for a HOST:PORT on this machine: only those may be spoken to in plaintext."""
    host = urlsplit(f"//{hostport}").hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_endpoints(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--endpoint URL` (every REST API) or `--endpoint API=URL` (one API)."""
    out: dict[str, str] = {}
    for v in values:
        api, sep, url = v.partition("=")
        if not sep or "://" in api:
            api, url = "*", v
        if api != "*" and api not in REST_APIS:
            raise ValueError(f"--endpoint: unknown API {api!r}; choose from {', '.join(REST_APIS)}")
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ValueError(f"--endpoint: {url!r} is not an http(s) URL")
        if urlsplit(url).scheme == "http" and not is_loopback(urlsplit(url).netloc):
            raise ValueError(f"--endpoint: plain http is only allowed to a loopback stand-in, not {url!r}")
        out[api] = url
    return out
