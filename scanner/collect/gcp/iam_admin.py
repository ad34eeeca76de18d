"""The IAM admin API (service accounts, their keys and policies, custom roles) through
google-cloud-iam, which speaks gRPC only. Pages are fetched one call at a time so each is
retried on its own and recorded; the lists are generators, so what earlier pages held is
kept when a later page fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .calls import GRPC
from .faults import GcpCallError, PageFailed, classify_grpc, with_retry
from .recorder import CallRecorder
from .settings import GcpSettings, is_loopback


class _Record:
    """A client interceptor that records each gRPC method as it goes on the wire."""

    def __init__(self, recorder: CallRecorder):
        self.recorder = recorder

    def intercept_unary_unary(self, continuation, details, request):
        target = (
            getattr(request, "name", "") or getattr(request, "resource", "") or getattr(request, "parent", "")
        )
        self.recorder.add(details.method, "grpc", str(target))
        return continuation(details, request)


class IamAdmin:
    def __init__(self, settings: GcpSettings, credentials: Any, recorder: CallRecorder):
        import grpc
        from google.cloud import iam_admin_v1
        from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

        self.settings = settings
        interceptor = type("Rec", (_Record, grpc.UnaryUnaryClientInterceptor), {})(recorder)
        host = settings.iam_endpoint or "iam.googleapis.com:443"
        if settings.iam_endpoint and is_loopback(host):
            channel = grpc.insecure_channel(host)  # a local stand-in: no TLS, no credentials
        else:
            channel = IAMGrpcTransport.create_channel(host, credentials=credentials)
        self.channel = channel
        transport = IAMGrpcTransport(channel=grpc.intercept_channel(channel, interceptor))
        self.client = iam_admin_v1.IAMClient(transport=transport)

    def close(self) -> None:
        self.channel.close()

    def _call(self, method: str, fn):
        needed = GRPC[method].permission
        return with_retry(
            fn, self.settings.retry, lambda e: classify_grpc(e, needed), call=method.lstrip("/")
        )

    def _pages(self, method: str, fetch, items: str) -> Iterator[dict]:
        """Items of a paginated list, one call a page (`fetch(token)`), each retried on its own.
        A failure on a later page raises PageFailed once the earlier pages' items are yielded."""
        token, page, kept = "", 0, 0
        while True:
            page += 1
            try:
                got = self._call(method, lambda token=token: fetch(token))
            except GcpCallError as e:
                if page == 1:
                    raise
                raise PageFailed(method.lstrip("/"), page, kept, e) from e
            batch = [self._json(x) for x in getattr(got, items)]
            kept += len(batch)
            yield from batch
            token = got.next_page_token
            if not token:
                return

    def _kw(self) -> dict:
        return {"retry": None, "timeout": self.settings.timeout}

    @staticmethod
    def _json(msg) -> dict:
        return type(msg).to_dict(msg, use_integers_for_enums=False, preserving_proto_field_name=False)

    def service_accounts(self, project: str) -> Iterator[dict]:
        return self._pages(
            "/google.iam.admin.v1.IAM/ListServiceAccounts",
            lambda token: self.client.list_service_accounts(
                request={"name": f"projects/{project}", "page_token": token}, **self._kw()
            ),
            "accounts",
        )

    def keys(self, sa_name: str) -> list[dict]:
        from google.cloud.iam_admin_v1 import ListServiceAccountKeysRequest

        req = ListServiceAccountKeysRequest(
            name=sa_name, key_types=[ListServiceAccountKeysRequest.KeyType.USER_MANAGED]
        )
        resp = self._call(
            "/google.iam.admin.v1.IAM/ListServiceAccountKeys",
            lambda: self.client.list_service_account_keys(request=req, **self._kw()),
        )
        return [self._json(k) for k in resp.keys]

    def policy(self, sa_name: str) -> dict:
        from google.iam.v1 import iam_policy_pb2, options_pb2
        from google.protobuf.json_format import MessageToDict

        req = iam_policy_pb2.GetIamPolicyRequest(
            resource=sa_name, options=options_pb2.GetPolicyOptions(requested_policy_version=3)
        )
        pol = self._call(
            "/google.iam.admin.v1.IAM/GetIamPolicy",
            lambda: self.client.get_iam_policy(request=req, **self._kw()),
        )
        return MessageToDict(pol)

    def custom_roles(self, project: str) -> Iterator[dict]:
        from google.cloud.iam_admin_v1 import ListRolesRequest, RoleView

        return self._pages(
            "/google.iam.admin.v1.IAM/ListRoles",
            lambda token: self.client.list_roles(
                request=ListRolesRequest(parent=f"projects/{project}", view=RoleView.FULL, page_token=token),
                **self._kw(),
            ),
            "roles",
        )
