"""Lambda: functions (configuration, URL config, resource policy, reserved concurrency,
code signing, tags, image URI), layers with their version policies, event source mappings.
Environment values arrive with ListFunctions and are scrubbed by the normalizer. With
`--inspect-code`, each Zip function's package is downloaded and its text scanned for
secrets (scanner.collect.aws.code). Per-function calls run on the pool. A detail call that
fails hands over `Unread` (the normalizer makes it Unresolved); only ResourceNotFoundException
means "there is none"."""

from __future__ import annotations

from scanner.normalize.aws import Unread, pick

from ..code import CodeLimits, CodeRefused, download, scan_package
from ..context import Ctx

NF = ("ResourceNotFoundException",)


def collect(ctx: Ctx) -> None:
    functions = list(ctx.pages("lambda", "ListFunctions", "Functions", what="Lambda functions"))
    for fn, extra in zip(functions, ctx.map(lambda f: _function(ctx, f), functions), strict=True):
        ctx.emit("lambda.function", fn, **extra)
    ctx.attempt("Lambda layers", _layers, ctx)
    ctx.attempt("Lambda event source mappings", _mappings, ctx)


def _function(ctx: Ctx, fn: dict) -> dict:
    name = fn["FunctionName"]
    what = f"Lambda function {name}"

    def get(op: str, label: str, **params):
        # None: ResourceNotFoundException (there is none); Unread: the call failed
        return ctx.read(f"{label} of {what}", ctx.call, "lambda", op, missing=NF, **params)

    extra: dict = {}
    url = get("GetFunctionUrlConfig", "URL config", FunctionName=name)
    if isinstance(url, Unread):
        extra["url"] = url
    else:
        extra["url"] = {"AuthType": url.get("AuthType"), "Cors": url.get("Cors")} if url else None
    extra["policy"] = pick(get("GetPolicy", "resource policy", FunctionName=name), "Policy")
    conc = get("GetFunctionConcurrency", "reserved concurrency", FunctionName=name)
    extra["reserved_concurrency"] = pick(conc, "ReservedConcurrentExecutions")
    csc = get("GetFunctionCodeSigningConfig", "code signing", FunctionName=name)
    extra["code_signing_config_arn"] = pick(csc, "CodeSigningConfigArn") or None
    tags = get("ListTags", "tags", Resource=fn["FunctionArn"])
    extra["tags"] = pick(tags, "Tags") or {}
    image = fn.get("PackageType") == "Image"
    if image or ctx.options.get("inspect_code"):
        got = get("GetFunction", "code location", FunctionName=name)
        code = {} if isinstance(got, Unread) else (got or {}).get("Code") or {}
        if image:
            extra["image_uri"] = got if isinstance(got, Unread) else code.get("ImageUri")
        elif got is not None and not isinstance(got, Unread):
            extra["code_secrets"] = _inspect(ctx, what, code.get("Location"))
    return extra


def _inspect(ctx: Ctx, what: str, location: str | None) -> list[dict] | None:
    """Secrets in a package ([] when none), or None when it could not be read (an error
    names why: a package that was not read is never reported as clean)."""
    from scanner.model.finding import ScanError

    limits: CodeLimits = ctx.options.get("code_limits") or CodeLimits()
    try:
        with ctx.gate():
            got = scan_package(download(location or "", limits), limits)
    except CodeRefused as e:
        ctx.errors.append(
            ScanError(
                source="aws",
                reason=f"{ctx.where}: code of {what} not inspected: {e}",
                unscanned=f"code of {what} ({ctx.where})",
            )
        )
        return None
    if got.skipped:
        ctx.notes.append(
            f"{ctx.where}: {what}: {got.skipped} package member(s) over the size limit not scanned"
        )
    return got.secrets


def _layers(ctx: Ctx) -> None:
    versions = [
        (layer["LayerName"], v)
        for layer in ctx.pages("lambda", "ListLayers", "Layers")
        for v in ctx.pages("lambda", "ListLayerVersions", "LayerVersions", LayerName=layer["LayerName"])
    ]
    for (name, v), extra in zip(versions, ctx.map(lambda nv: _layer(ctx, *nv), versions), strict=True):
        ctx.emit("lambda.layer_version", v, layer_name=name, **extra)


def _layer(ctx: Ctx, name: str, v: dict) -> dict:
    what = f"Lambda layer {name}:{v.get('Version')}"
    pol = ctx.read(
        f"policy of {what}",
        ctx.call,
        "lambda",
        "GetLayerVersionPolicy",
        missing=NF,
        LayerName=name,
        VersionNumber=v["Version"],
    )
    extra: dict = {"policy": pick(pol, "Policy")}
    return extra


def _mappings(ctx: Ctx) -> None:
    for m in ctx.pages("lambda", "ListEventSourceMappings", "EventSourceMappings"):
        ctx.emit("lambda.event_source_mapping", m)
