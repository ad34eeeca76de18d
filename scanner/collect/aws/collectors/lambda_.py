"""Lambda: functions (configuration, URL config, resource policy, reserved concurrency,
code signing, image URI), layers with their version policies, event source mappings.
Environment values arrive with ListFunctions and are scrubbed by the normalizer."""

from __future__ import annotations

from ..context import Ctx

NF = ("ResourceNotFoundException",)


def collect(ctx: Ctx) -> None:
    for fn in ctx.pages("lambda", "ListFunctions", "Functions"):
        name = fn["FunctionName"]
        what = f"Lambda function {name}"
        extra: dict = {}
        url = ctx.attempt(
            f"URL config of {what}", ctx.call, "lambda", "GetFunctionUrlConfig", missing=NF, FunctionName=name
        )
        extra["url"] = {"AuthType": url.get("AuthType"), "Cors": url.get("Cors")} if url else None
        pol = ctx.attempt(
            f"resource policy of {what}", ctx.call, "lambda", "GetPolicy", missing=NF, FunctionName=name
        )
        extra["policy"] = (pol or {}).get("Policy")
        conc = ctx.attempt(
            f"reserved concurrency of {what}",
            ctx.call,
            "lambda",
            "GetFunctionConcurrency",
            missing=NF,
            FunctionName=name,
        )
        extra["reserved_concurrency"] = (conc or {}).get("ReservedConcurrentExecutions")
        csc = ctx.attempt(
            f"code signing of {what}",
            ctx.call,
            "lambda",
            "GetFunctionCodeSigningConfig",
            missing=NF,
            FunctionName=name,
        )
        extra["code_signing_config_arn"] = (csc or {}).get("CodeSigningConfigArn") or None
        if fn.get("PackageType") == "Image":
            got = ctx.attempt(
                f"image of {what}", ctx.call, "lambda", "GetFunction", missing=NF, FunctionName=name
            )
            extra["image_uri"] = ((got or {}).get("Code") or {}).get("ImageUri")
        ctx.emit("lambda.function", fn, **extra)
    ctx.attempt("Lambda layers", _layers, ctx)
    ctx.attempt("Lambda event source mappings", _mappings, ctx)


def _layers(ctx: Ctx) -> None:
    for layer in ctx.pages("lambda", "ListLayers", "Layers"):
        name = layer["LayerName"]
        for v in ctx.pages("lambda", "ListLayerVersions", "LayerVersions", LayerName=name):
            pol = ctx.attempt(
                f"policy of Lambda layer {name}:{v.get('Version')}",
                ctx.call,
                "lambda",
                "GetLayerVersionPolicy",
                missing=NF,
                LayerName=name,
                VersionNumber=v["Version"],
            )
            ctx.emit("lambda.layer_version", v, layer_name=name, policy=(pol or {}).get("Policy"))


def _mappings(ctx: Ctx) -> None:
    for m in ctx.pages("lambda", "ListEventSourceMappings", "EventSourceMappings"):
        ctx.emit("lambda.event_source_mapping", m)
