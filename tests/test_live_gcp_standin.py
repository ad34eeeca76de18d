"""Loopback stand-ins for the Google APIs a GCP scan reads, built from the fixture data in
fixtures/live/gcp/: a ThreadingHTTPServer for the REST APIs (real paths, real response and
error shapes, lists paged two at a time with nextPageToken) and an in-process gRPC server
for google.iam.admin.v1.IAM (generic handlers, the client's own protobuf types). Both
record every call they receive. The tests here check the stand-ins themselves."""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest
import yaml
from google.cloud.iam_admin_v1 import types as iam_types
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf.json_format import ParseDict

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "live" / "gcp"
PAGE = 2
# list collections the real APIs answer with {} when empty
_LISTS = re.compile(
    r"^(v1/projects/[^/]+/locations/[^/]+/(endpoints|models|customJobs|pipelineJobs|featurestores|tensorboards"
    r"|indexEndpoints|notebookRuntimeTemplates|repositories|instances|functions)"
    r"|v2/projects/[^/]+/locations/[^/]+/(services|jobs|instances|functions)"
    r"|v1/projects/[^/]+/secrets|v3/(projects|folders)\?parent=.+)$"
)
_API_OF = {
    "endpoints": "aiplatform",
    "models": "aiplatform",
    "customJobs": "aiplatform",
    "pipelineJobs": "aiplatform",
    "featurestores": "aiplatform",
    "tensorboards": "aiplatform",
    "indexEndpoints": "aiplatform",
    "notebookRuntimeTemplates": "aiplatform",
}


def load_world(names=("ml-prod", "ml-dev")) -> dict:
    """Routes, project records, gRPC data and disabled APIs of the named projects."""
    world = {"rest": {}, "projects": {}, "grpc": {}, "disabled": {}}
    shared = yaml.safe_load((FIXTURES / "shared.yaml").read_text())
    world["rest"].update(shared["rest"])
    for n in names:
        d = yaml.safe_load((FIXTURES / f"{n}.yaml").read_text())
        pid = d["project"]["projectId"]
        world["projects"][pid] = d["project"]
        world["rest"][f"v3/projects/{pid}"] = d["project"]
        world["rest"].update(d.get("rest") or {})
        world["grpc"][pid] = d.get("grpc") or {}
        world["disabled"][pid] = d.get("disabled_apis") or []
    return world


def error_body(code: int, status: str, message: str, details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "status": status, "details": details or []}}


def denied(permission: str, resource: str, domain: str = "aiplatform.googleapis.com") -> dict:
    """A 403 as Google APIs write it: the permission in the message and in ErrorInfo."""
    return {
        "$error": error_body(
            403,
            "PERMISSION_DENIED",
            f"Permission '{permission}' denied on resource '{resource}' (or it may not exist).",
            [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "IAM_PERMISSION_DENIED",
                    "domain": domain,
                    "metadata": {"permission": permission, "resource": resource},
                }
            ],
        )
    }


def disabled(api: str, number: str) -> dict:
    return error_body(
        403,
        "PERMISSION_DENIED",
        f"{api} has not been used in project {number} before or it is disabled. Enable it by visiting "
        f"https://console.developers.google.com/apis/api/{api}/overview?project={number} then retry.",
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "SERVICE_DISABLED",
                "domain": "googleapis.com",
                "metadata": {"service": api, "consumer": f"projects/{number}"},
            }
        ],
    )


class RestStandIn:
    def __init__(self, world: dict):
        self.world = world
        self.calls: list[tuple[str, str]] = []  # (HTTP method, path with query)
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                standin.handle(self, "GET")

            def do_POST(self):
                standin.handle(self, "POST")

            def do_PUT(self):
                standin.handle(self, "PUT")

            def do_PATCH(self):
                standin.handle(self, "PATCH")

            def do_DELETE(self):
                standin.handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _key(self, path: str, query: dict) -> str:
        key = path.lstrip("/")
        if key in ("v3/projects", "v3/folders"):
            key += f"?parent={query.get('parent', [''])[0]}"
        return key

    def _disabled(self, key: str) -> dict | None:
        m = re.match(r"^v\d/projects/([^/]+)/locations/[^/]+/(\w+)", key)
        if m and _API_OF.get(m.group(2)):
            api = f"{_API_OF[m.group(2)]}.googleapis.com"
            if api in self.world["disabled"].get(m.group(1), []):
                number = self.world["projects"][m.group(1)]["name"].split("/")[1]
                return disabled(api, number)
        return None

    def handle(self, h: BaseHTTPRequestHandler, verb: str) -> None:
        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        with self._lock:
            self.calls.append((verb, h.path))
        if verb == "POST":
            length = int(h.headers.get("Content-Length") or 0)
            h.rfile.read(length)
        key = self._key(parts.path, query)
        with self._lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            n = self.hits[key]
        body = self.world["rest"].get(key)
        if verb not in ("GET", "POST") or (verb == "POST" and not key.endswith(":getIamPolicy")):
            return self._send(h, 405, error_body(405, "METHOD_NOT_ALLOWED", "the stand-in only reads"))
        if body is None and (err := self._disabled(key)):
            return self._send(h, 403, err)
        if isinstance(body, dict) and "$flaky" in body:  # fail N times, then answer
            if n <= body["$flaky"]:
                if body.get("slow"):
                    time.sleep(body["slow"])
                return self._send(
                    h, body.get("status", 429), error_body(429, "RESOURCE_EXHAUSTED", "Quota exceeded")
                )
            body = body["then"]
        if isinstance(body, dict) and "$error" in body:
            return self._send(h, body["$error"]["error"]["code"], body["$error"])
        if body is None:
            if verb == "GET" and _LISTS.match(key):
                return self._send(h, 200, {})
            return self._send(h, 404, error_body(404, "NOT_FOUND", f"{key} not found"))
        return self._send(h, 200, self._page(body, query))

    @staticmethod
    def _page(body: dict, query: dict) -> dict:
        lists = [k for k, v in body.items() if isinstance(v, list) and k not in ("bindings", "auditConfigs")]
        if len(body) != 1 or len(lists) != 1:
            return body
        k = lists[0]
        start = int(query.get("pageToken", ["0"])[0] or 0)
        out = {k: body[k][start : start + PAGE]}
        if start + PAGE < len(body[k]):
            out["nextPageToken"] = str(start + PAGE)
        return out

    @staticmethod
    def _send(h, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        h.send_response(code)
        h.send_header("Content-Type", "application/json; charset=UTF-8")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)


class _Recorder(grpc.ServerInterceptor):
    def __init__(self, calls: list):
        self.calls = calls

    def intercept_service(self, continuation, details):
        self.calls.append(details.method)
        return continuation(details)


class IamStandIn:
    """google.iam.admin.v1.IAM, as much of it as a scan reads. Service accounts are served
    one per page so pagination is exercised. `faults[method] = (StatusCode, message)`."""

    def __init__(self, world: dict):
        self.world = world
        self.calls: list[str] = []
        self.faults: dict[str, tuple] = {}
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=8), interceptors=[_Recorder(self.calls)]
        )
        t = iam_types

        def handler(fn, req_type, resp_ser):
            return grpc.unary_unary_rpc_method_handler(
                fn, request_deserializer=req_type, response_serializer=resp_ser
            )

        methods = {
            "ListServiceAccounts": handler(
                self._list_sas,
                t.ListServiceAccountsRequest.deserialize,
                t.ListServiceAccountsResponse.serialize,
            ),
            "ListServiceAccountKeys": handler(
                self._list_keys,
                t.ListServiceAccountKeysRequest.deserialize,
                t.ListServiceAccountKeysResponse.serialize,
            ),
            "GetIamPolicy": handler(
                self._policy,
                iam_policy_pb2.GetIamPolicyRequest.FromString,
                policy_pb2.Policy.SerializeToString,
            ),
            "ListRoles": handler(self._roles, t.ListRolesRequest.deserialize, t.ListRolesResponse.serialize),
        }
        self.server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler("google.iam.admin.v1.IAM", methods),)
        )
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.endpoint = f"127.0.0.1:{self.port}"

    def close(self):
        self.server.stop(None)

    def _fault(self, name: str, context) -> None:
        if name in self.faults:
            code, message = self.faults[name]
            context.abort(code, message)

    def _project(self, name: str) -> dict:
        return self.world["grpc"].get(name.split("/")[1], {})

    def _list_sas(self, req, context):
        self._fault("ListServiceAccounts", context)
        sas = self._project(req.name).get("service_accounts") or []
        start = int(req.page_token or 0)
        resp = iam_types.ListServiceAccountsResponse(
            accounts=[iam_types.ServiceAccount.from_json(json.dumps(sa)) for sa in sas[start : start + 1]],
            next_page_token=str(start + 1) if start + 1 < len(sas) else "",
        )
        return resp

    def _list_keys(self, req, context):
        self._fault("ListServiceAccountKeys", context)
        email = req.name.rsplit("/", 1)[1]
        keys = (self._project(req.name).get("keys") or {}).get(email) or []
        wanted = set(req.key_types)
        out = [iam_types.ServiceAccountKey.from_json(json.dumps(k)) for k in keys]
        return iam_types.ListServiceAccountKeysResponse(
            keys=[k for k in out if not wanted or k.key_type in wanted]
        )

    def _policy(self, req, context):
        self._fault("GetIamPolicy", context)
        email = req.resource.rsplit("/", 1)[1]
        pol = (self._project(req.resource).get("policies") or {}).get(email) or {}
        return ParseDict(pol, policy_pb2.Policy())

    def _roles(self, req, context):
        self._fault("ListRoles", context)
        roles = self._project(req.parent).get("roles") or []
        return iam_types.ListRolesResponse(roles=[iam_types.Role.from_json(json.dumps(r)) for r in roles])


@pytest.fixture
def world():
    return copy.deepcopy(load_world())


@pytest.fixture
def standins(world):
    rest, iam = RestStandIn(world), IamStandIn(world)
    try:
        yield rest, iam
    finally:
        rest.close()
        iam.close()


# ------------------------------------------------------------------------- the stand-ins themselves
def test_rest_standin_pages_lists_and_speaks_google_error_shapes(standins):
    from google.auth.credentials import AnonymousCredentials
    from googleapiclient import discovery
    from googleapiclient.errors import HttpError

    rest, _ = standins
    ai = discovery.build(
        "aiplatform",
        "v1",
        credentials=AnonymousCredentials(),
        static_discovery=True,
        client_options={"api_endpoint": rest.url + "/"},
    )
    eps = ai.projects().locations().endpoints()
    first = eps.list(parent="projects/ml-prod/locations/us-central1").execute()
    assert len(first["endpoints"]) == 2 and first["nextPageToken"] == "2"
    second = eps.list(parent="projects/ml-prod/locations/us-central1", pageToken="2").execute()
    assert [e["displayName"] for e in second["endpoints"]] == [
        "fraud-peered"
    ] and "nextPageToken" not in second
    with pytest.raises(HttpError) as e:
        eps.list(parent="projects/ml-dev/locations/us-central1").execute()
    assert e.value.resp.status == 403 and "SERVICE_DISABLED" in e.value.content.decode()


def test_iam_standin_serves_the_admin_client(standins):
    from google.cloud import iam_admin_v1
    from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

    _, iam = standins
    channel = grpc.insecure_channel(iam.endpoint)
    client = iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=channel))
    emails = [a.email for a in client.list_service_accounts(request={"name": "projects/ml-prod"})]
    assert emails[0] == "predict-sa@ml-prod.iam.gserviceaccount.com" and len(emails) == 3
    assert iam.calls.count("/google.iam.admin.v1.IAM/ListServiceAccounts") == 3  # one per page
    channel.close()
