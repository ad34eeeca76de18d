"""API Gateway: REST APIs with their resources and methods (integrations embedded), and
HTTP APIs with their routes and integrations."""

from __future__ import annotations

from ..context import Ctx


def rest(ctx: Ctx) -> None:
    for api in ctx.pages("apigateway", "GetRestApis", "items"):
        res = ctx.attempt(
            f"resources of REST API {api['id']}",
            lambda a=api: list(
                ctx.pages("apigateway", "GetResources", "items", restApiId=a["id"], embed=["methods"])
            ),
        )
        ctx.emit("apigateway.rest_api", api, resources=res or [])


def http(ctx: Ctx) -> None:
    for api in ctx.pages("apigatewayv2", "GetApis", "Items"):
        aid = api["ApiId"]
        routes = ctx.attempt(
            f"routes of HTTP API {aid}", ctx.all, "apigatewayv2", "GetRoutes", "Items", ApiId=aid
        )
        integ = ctx.attempt(
            f"integrations of HTTP API {aid}", ctx.all, "apigatewayv2", "GetIntegrations", "Items", ApiId=aid
        )
        ctx.emit("apigateway.http_api", api, routes=routes or [], integrations=integ or [])


def collect(ctx: Ctx) -> None:
    ctx.attempt("API Gateway REST APIs", rest, ctx)
    ctx.attempt("API Gateway HTTP APIs", http, ctx)
