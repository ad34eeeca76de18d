"""REST APIs through google-api-python-client, from the discovery documents it ships
(static_discovery: no discovery fetch, no network at build time). One set of service
objects per thread, since httplib2 connections are not thread-safe."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from .calls import REST
from .faults import classify_http, with_retry
from .recorder import CallRecorder
from .settings import GcpSettings

# The part of each API's base URL after the host: an override keeps it.
_SERVICE_PATH = {"storage": "storage/v1/"}


class RestClients:
    def __init__(self, settings: GcpSettings, credentials: Any, recorder: CallRecorder):
        self.settings = settings
        self.credentials = credentials
        self.recorder = recorder
        self._local = threading.local()

    def base_url(self, api: str, region: str | None = None) -> str | None:
        override = self.settings.endpoint_for(api)
        if override:
            return override.rstrip("/") + "/" + _SERVICE_PATH.get(api, "")
        if api == "aiplatform" and region:  # Vertex AI is served from regional endpoints
            return f"https://{region}-aiplatform.googleapis.com/"
        return None  # the discovery document's own rootUrl

    def service(self, api: str, version: str, region: str | None = None):
        cache = self._local.__dict__.setdefault("services", {})
        base = self.base_url(api, region)
        key = (api, version, base)
        if key not in cache:
            import google_auth_httplib2
            import httplib2
            from googleapiclient import discovery

            http = google_auth_httplib2.AuthorizedHttp(
                self.credentials, http=httplib2.Http(timeout=self.settings.timeout)
            )
            cache[key] = discovery.build(
                api,
                version,
                http=http,
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": base} if base else None,
            )
        return cache[key]

    def call(self, request) -> dict:
        """Execute one request (an HttpRequest built from a service object), retried."""
        declared = REST.get(request.methodId)
        if declared is None or declared.verb != request.method:
            raise RuntimeError(f"undeclared API call {request.methodId} {request.method}")  # a collector bug

        def attempt() -> dict:
            self.recorder.add(request.methodId, request.method, request.uri)
            return request.execute(num_retries=0)

        return with_retry(attempt, self.settings.retry, lambda e: classify_http(e, declared.permission)) or {}

    def pages(self, make: Callable[[str | None], Any], items: str) -> Iterator[dict]:
        """Items of a paginated list: `make(page_token)` builds the request for one page."""
        token: str | None = None
        seen: set[str] = set()
        while True:
            body = self.call(make(token))
            yield from body.get(items) or []
            token = body.get("nextPageToken") or None
            if not token or token in seen:  # a repeated token would loop forever
                return
            seen.add(token)
