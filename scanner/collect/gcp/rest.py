"""REST APIs through google-api-python-client, from the discovery documents it ships
(static_discovery: no discovery fetch, no network at build time). One set of service
objects per thread, since httplib2 connections are not thread-safe."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from .calls import REST
from .faults import GcpCallError, PageFailed, classify_http, with_retry
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
            got = request.execute(num_retries=0)
            if got is not None and not isinstance(got, dict):
                # googleapiclient hands back a body that is not JSON as the text itself
                raise ValueError(f"the body is not a JSON object ({type(got).__name__}, {len(got)} long)")
            return got

        return (
            with_retry(
                attempt,
                self.settings.retry,
                lambda e: classify_http(e, declared.permission),
                call=request.methodId,
            )
            or {}
        )

    def pages(self, make: Callable[[str | None], Any], items: str) -> Iterator[dict]:
        """Items of a paginated list: `make(page_token)` builds the request for one page. A
        failure on a later page raises PageFailed once the earlier pages' items are yielded:
        a caller that consumes as it goes keeps them."""
        token: str | None = None
        seen: set[str] = set()
        page = kept = 0
        while True:
            request = make(token)
            page += 1
            try:
                body = self.call(request)
            except GcpCallError as e:
                if page == 1:
                    raise
                raise PageFailed(request.methodId, page, kept, e) from e
            got = body.get(items) or []
            kept += len(got)
            yield from got
            token = body.get("nextPageToken") or None
            if not token or token in seen:  # a repeated token would loop forever
                return
            seen.add(token)
