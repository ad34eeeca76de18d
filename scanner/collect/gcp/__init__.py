"""Live GCP collection: Resource Manager, IAM admin (gRPC), Vertex AI, Workbench, Cloud Run,
Cloud Functions, Cloud Storage, Artifact Registry and Secret Manager, read-only.

`collect_gcp(settings)` returns the raw API records for `scanner.normalize.gcp`, the errors
(each naming what it left unscanned), the notes (APIs not enabled) and the call record."""

from __future__ import annotations

from .collect import GcpCollection, collect_gcp
from .settings import DEFAULT_REGIONS, GcpSettings

__all__ = ["DEFAULT_REGIONS", "GcpCollection", "GcpSettings", "collect_gcp"]
