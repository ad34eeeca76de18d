"""One CloudFormation/SAM template (already parsed, with lines) -> a Batch of canonical
resources, relations and errors. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

from scanner.model.batch import Batch
from scanner.model.finding import ScanError
from scanner.model.resource import Ref, Relation, SourceRef, Unresolved
from scanner.secrets import REDACTED, Detection, scrub_value

from . import (
    apigateway,
    bedrock,
    governance,
    iam,
    lambda_fn,
    network_iam,
    s3,
    sagemaker,
    sagemaker_jobs,
    sagemaker_more,
    sam,
    supporting,
)
from .builder import Builder, suppressions_of, tags_of
from .intrinsics import Resolver, find_cycles, references

DIALECT = "cloudformation"
STACK = "aws.cloudformation.stack"

# CloudFormation type -> (canonical type, mapper)
MAPPERS: dict[str, tuple[str, Callable[[Builder], None]]] = {
    "AWS::SageMaker::NotebookInstance": ("aws.sagemaker.notebook_instance", sagemaker.notebook),
    "AWS::SageMaker::NotebookInstanceLifecycleConfig": (
        "aws.sagemaker.notebook_lifecycle_config",
        sagemaker.lifecycle_config,
    ),
    "AWS::SageMaker::Model": ("aws.sagemaker.model", sagemaker.model),
    "AWS::SageMaker::EndpointConfig": ("aws.sagemaker.endpoint_config", sagemaker.endpoint_config),
    "AWS::SageMaker::Endpoint": ("aws.sagemaker.endpoint", sagemaker.endpoint),
    "AWS::SageMaker::Domain": ("aws.sagemaker.domain", sagemaker.domain),
    "AWS::Lambda::Function": (lambda_fn.FUNCTION, lambda_fn.function),
    "AWS::Lambda::Url": ("aws.lambda.function_url", lambda_fn.function_url),
    "AWS::Lambda::Permission": ("aws.lambda.permission", lambda_fn.permission),
    "AWS::IAM::Role": (iam.ROLE, iam.role),
    "AWS::IAM::User": (iam.USER, iam.user),
    "AWS::IAM::Group": (iam.GROUP, iam.group),
    "AWS::IAM::ManagedPolicy": (iam.POLICY, iam.managed_policy),
    "AWS::S3::Bucket": (s3.BUCKET, s3.bucket),
    "AWS::SecretsManager::Secret": (governance.SECRET, governance.secret),
    "AWS::Bedrock::Agent": (bedrock.AGENT, bedrock.agent),
    "AWS::Bedrock::Guardrail": (bedrock.GUARDRAIL, bedrock.guardrail),
    "AWS::Bedrock::KnowledgeBase": (bedrock.KNOWLEDGE_BASE, bedrock.knowledge_base),
    "AWS::SageMaker::Pipeline": (sagemaker_jobs.JOB, sagemaker_jobs.pipeline),
    "AWS::StepFunctions::StateMachine": (sagemaker_jobs.JOB, sagemaker_jobs.state_machine),
    "AWS::SageMaker::DataQualityJobDefinition": (
        sagemaker_jobs.DATA_QUALITY,
        sagemaker_jobs.data_quality_job_definition,
    ),
    **supporting.MAPPERS,
    **apigateway.MAPPERS,
    **sagemaker_more.MAPPERS,
    **network_iam.MAPPERS,
}

# Properties that name a resource, so a literal name elsewhere in the template can be linked.
NAME_KEYS = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Serverless::Function": "FunctionName",
    "AWS::SageMaker::Model": "ModelName",
    "AWS::SageMaker::EndpointConfig": "EndpointConfigName",
    "AWS::SageMaker::NotebookInstanceLifecycleConfig": "NotebookInstanceLifecycleConfigName",
    "AWS::SageMaker::Endpoint": "EndpointName",
    "AWS::SecretsManager::Secret": "Name",
    **supporting.NAME_KEYS,
    **sagemaker_more.NAME_KEYS,
    **network_iam.NAME_KEYS,
}


def uid_of(file: str, logical_id: str | None = None) -> str:
    return f"cfn:{file}" if logical_id is None else f"cfn:{file}#{logical_id}"


# Types whose content is folded into another resource (a policy into its roles).
FOLDED_TYPES = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::IAM::AccessKey",
    "AWS::IAM::UserToGroupAddition",
    "AWS::SecretsManager::RotationSchedule",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    *supporting.FOLDERS,
    *apigateway.FOLDERS,
    *sagemaker_more.FOLDERS,
)


class _Template:
    def __init__(self, doc: Mapping[str, Any], file: str):
        self.doc, self.file = doc, file
        self.batch = Batch(DIALECT)
        self.builders: dict[str, Builder] = {}
        self.names: dict[str, str] = {}

    def error(self, reason: str, unscanned: str) -> None:
        self.batch.errors.append(ScanError(DIALECT, reason, self.file, unscanned))

    def source(self, node: Any) -> SourceRef:
        return SourceRef(
            "iac",
            self.file,
            getattr(node, "start_line", None),
            getattr(node, "end_line", None),
            dialect=DIALECT,
        )

    # -- sections -----------------------------------------------------------------------
    def transforms(self) -> list[str]:
        t = self.doc.get("Transform")
        items = t if isinstance(t, list) else [t] if t is not None else []
        return [
            x if isinstance(x, str) else (x.get("Name") if isinstance(x, Mapping) else str(x)) for x in items
        ]

    def section(self, name: str) -> Mapping[str, Any]:
        v = self.doc.get(name)
        if v is None:
            return {}
        if not isinstance(v, Mapping):
            self.error(f"{name} is not a mapping; ignored", f"the {name} section")
            return {}
        return v

    def valid_resources(self) -> dict[str, tuple[str, Mapping, Mapping]]:
        out = {}
        for lid, r in self.doc["Resources"].items():
            what = f"resource {lid}"
            if not isinstance(lid, str):
                self.error(f"resource id {lid!r} is not a string", what)
            elif not isinstance(r, Mapping):
                self.error(f"{what} is not a mapping", what)
            elif not isinstance(r.get("Type"), str) or not r["Type"]:
                self.error(f"{what} has no Type", what)
            elif r.get("Properties") is not None and not isinstance(r["Properties"], Mapping):
                self.error(f"{what}: Properties is not a mapping", what)
            else:
                out[lid] = (r["Type"], r, r.get("Properties") or {})
        return out

    # -- parameters and the stack resource ----------------------------------------------
    def parameters(self) -> tuple[dict[str, Any], dict[str, Any], list[Detection], dict[str, int]]:
        """(values for Ref, the stack's `parameters` attr, detections, lines)."""
        values, attr, dets, lines = {}, {}, [], {}
        params = self.section("Parameters")
        key_lines = getattr(params, "key_lines", {})
        for name, p in params.items():
            if not isinstance(p, Mapping):
                self.error(f"parameter {name} is not a mapping", f"parameter {name}")
                values[name] = Unresolved(f"Ref {name}")
                continue
            ptype = str(p.get("Type", "String"))
            no_echo = str(p.get("NoEcho", "false")).lower() == "true"
            path = f"parameters.{name}.default"
            dline = getattr(p, "key_lines", {}).get("Default")
            default = p.get("Default")
            if isinstance(default, str):
                default, found = scrub_value(str(name), default, path, dline)
                if no_echo and not found and default:
                    # A NoEcho default is a secret by its author's own account.
                    found = [Detection(path, "noecho-parameter-default", _fingerprint(default), dline)]
                    default = REDACTED.format(kind="noecho-parameter-default")
                dets.extend(found)
            attr[name] = {"type": ptype, "default": default, "no_echo": no_echo}
            if name in key_lines:
                lines[f"parameters.{name}"] = key_lines[name]
            if dline:
                lines[path] = dline
            if "Default" not in p:
                values[name] = Unresolved(f"Ref {name}")
            elif (ptype == "CommaDelimitedList" or ptype.startswith("List<")) and isinstance(default, str):
                values[name] = [x.strip() for x in default.split(",")]
            else:
                values[name] = default
        return values, attr, dets, lines

    def stack(self, attr: dict, dets: list[Detection], lines: dict[str, int]) -> None:
        b = Builder(
            uid_of(self.file), STACK, PurePosixPath(self.file).stem, self.source(self.doc), {}, self.doc
        )
        b.set("parameters", attr, line=b.line("Parameters"))
        b.set("transform", self.transforms(), line=b.line("Transform"))
        b.secrets.extend(dets)
        b.lines.update(lines)
        self.batch.resources.append(b.build())

    # -- resources ----------------------------------------------------------------------
    def run(self) -> Batch:
        values, pattr, pdets, plines = self.parameters()
        self.stack(pattr, pdets, plines)
        resources = self.valid_resources()
        is_sam = sam.SAM_TRANSFORM in self.transforms()
        glob = self.section("Globals").get("Function") if is_sam else None
        if is_sam and glob is not None and not isinstance(glob, Mapping):
            self.error("Globals.Function is not a mapping; ignored", "Globals.Function")
            glob = None

        uids = {lid: uid_of(self.file, lid) for lid in resources}
        for lid, (rtype, _r, props) in list(resources.items()):
            if rtype == sam.SAM_FUNCTION:
                if glob:
                    props = sam.merge_globals(glob, props)
                    resources[lid] = (rtype, _r, props)
                if "Role" not in props:
                    uids.setdefault(f"{lid}Role", uid_of(self.file, f"{lid}Role"))
                if "FunctionUrlConfig" in props:
                    uids.setdefault(f"{lid}Url", uid_of(self.file, f"{lid}Url"))

        cyclic = self.resource_cycles(resources)
        resolver = Resolver(
            parameters=values,
            mappings=self.section("Mappings"),
            conditions=self.section("Conditions"),
            resource_uids=uids,
            cyclic=cyclic,
            on_error=self.error,
        )

        resolved: dict[str, Any] = {}
        for lid, (rtype, _r, props) in resources.items():
            resolver.current = lid
            resolved[lid] = resolver.resolve_top(props)
            if not isinstance(resolved[lid], Mapping | Unresolved):
                resolved[lid] = {}
            # Properties behind an undecidable Fn::If stay Unresolved: every attribute
            # then reads as unresolved instead of as the provider's default.
            key = NAME_KEYS.get(rtype)
            name = resolved[lid].get(key) if key and isinstance(resolved[lid], Mapping) else None
            if isinstance(name, str):
                ctype = MAPPERS.get(rtype, (lambda_fn.FUNCTION,))[0]
                self.names[f"{ctype}|{name}"] = uids[lid]
        resolver.current = None

        folds = []
        for lid, (rtype, r, props) in resources.items():
            try:
                if rtype == sam.SAM_FUNCTION:
                    self.sam_function(lid, r, props, resolved[lid])
                elif rtype in MAPPERS:
                    self.map_one(lid, rtype, r, props, resolved[lid])
                if rtype in FOLDED_TYPES:
                    folds.append((lid, rtype, r, resolved[lid]))
                elif rtype != sam.SAM_FUNCTION and rtype not in MAPPERS:
                    self.batch.count_unmodelled(rtype)
            except Exception as e:  # one resource's surprise must not cost the template
                self.error(
                    f"could not map resource {lid} ({rtype}): {type(e).__name__}: {e}", f"resource {lid}"
                )
                self.builders.pop(uids[lid], None)
        for lid, rtype, r, props in folds:
            self.fold(lid, rtype, r, props)
        supporting.link_security_groups(self.builders.values())

        for b in self.builders.values():
            self.batch.resources.append(b.build())
            self.batch.relations.extend(b.relations)
        return self.batch

    def resource_cycles(self, resources: Mapping[str, tuple]) -> dict[str, frozenset[str]]:
        """Resources that reference each other in a loop (CloudFormation refuses such a
        template): one error per cycle, and their mutual references stay unresolved."""
        graph: dict[str, set[str]] = {}
        for lid, (_t, r, props) in resources.items():
            deps = references(props, resources)
            dep_on = r.get("DependsOn")
            for d in dep_on if isinstance(dep_on, list) else [dep_on]:
                if isinstance(d, str) and d in resources:
                    deps.add(d)
            graph[lid] = deps
        out: dict[str, frozenset[str]] = {}
        for comp in find_cycles(graph):
            members = frozenset(comp)
            self.error(
                f"circular dependency between resources: {' -> '.join(comp + [comp[0]])}",
                f"references among {', '.join(comp)} (left unresolved)",
            )
            for lid in comp:
                out[lid] = members
        return out

    def builder(
        self,
        lid: str,
        rtype: str,
        r: Mapping,
        raw: Mapping,
        props: Mapping,
        *,
        name: str | None = None,
        source_node: Any = None,
    ) -> Builder:
        name = name or lid
        src = self.source(source_node if source_node is not None else r)
        if source_node is None:
            self.clamp_lines(lid, src)
        b = Builder(uid_of(self.file, name), rtype, name, src, props, raw, names=self.names)
        b.tags = tags_of(props.get("Tags")) if isinstance(props, Mapping) else {}
        b.suppressions = suppressions_of(r.get("Metadata"))
        self.builders[b.uid] = b
        return b

    def clamp_lines(self, lid: str, src: SourceRef) -> None:
        """Start at the logical id (not at `Type:` below it) and end before the next one."""
        key_lines = getattr(self.doc["Resources"], "key_lines", {})
        start = key_lines.get(lid)
        if start is None:
            return
        src.start_line = start
        later = [n for n in key_lines.values() if n > start]
        if later and src.end_line is not None and src.end_line >= min(later):
            src.end_line = min(later) - 1

    def map_one(self, lid: str, rtype: str, r: Mapping, raw: Mapping, props: Mapping) -> None:
        ctype, mapper = MAPPERS[rtype]
        b = self.builder(lid, ctype, r, raw, props)
        parts = mapper(b)
        if isinstance(parts, list):  # a container (a pipeline): the jobs inside are the resources
            self.builders.pop(b.uid, None)
            self.builders.update((p.uid, p) for p in parts)

    def sam_function(self, lid: str, r: Mapping, raw: Mapping, props: Mapping) -> None:
        fb = self.builder(lid, lambda_fn.FUNCTION, r, raw, props)
        if "Role" not in raw:  # the same test that reserved the generated id
            rb = self.builder(lid, iam.ROLE, r, raw, props, name=f"{lid}Role")
            rb.tags = {}
            sam.implicit_role(rb)
            fb.set("role_arn", Ref(rb.uid, "Arn"))
            fb.provenance["role_arn"] = "default"  # SAM generated it
            fb.relations.append(Relation(fb.uid, "execution_role", rb.uid, "role_arn"))
        lambda_fn.function(fb, "sam")
        url_cfg = props.get("FunctionUrlConfig") if isinstance(props, Mapping) else None
        if url_cfg is None:
            return
        url_raw = raw.get("FunctionUrlConfig")
        url_props = dict(url_cfg) if isinstance(url_cfg, Mapping) else {}
        url_props["TargetFunctionArn"] = Ref(fb.uid, "Ref")
        ub = self.builder(
            lid, "aws.lambda.function_url", r, url_raw, url_props, name=f"{lid}Url", source_node=url_raw
        )
        ub.tags = {}
        lambda_fn.function_url(ub)
        if isinstance(url_cfg, Unresolved):
            ub.set("auth_type", url_cfg)
        elif ub.attrs.get("auth_type") == "NONE":
            # SAM adds this permission so that anyone may call a NONE-auth URL.
            pb = self.builder(
                lid,
                "aws.lambda.permission",
                r,
                url_raw,
                {
                    "FunctionName": Ref(fb.uid, "Ref"),
                    "Action": "lambda:InvokeFunctionUrl",
                    "Principal": "*",
                    "FunctionUrlAuthType": "NONE",
                },
                name=f"{lid}UrlPublicPermissions",
                source_node=url_raw,
            )
            pb.tags = {}
            lambda_fn.permission(pb)

    def fold(self, lid: str, rtype: str, r: Mapping, props: Any) -> None:
        if not isinstance(props, Mapping):
            self.error(f"resource {lid} ({rtype}): properties unresolved, not applied", f"resource {lid}")
            return
        line = getattr(r, "start_line", None)
        if rtype == "AWS::IAM::Policy":
            iam.fold_policy(props, self.builders, self.names, line)
        elif rtype == "AWS::IAM::ManagedPolicy":
            iam.fold_managed_policy(uid_of(self.file, lid), props, self.builders, self.names)
        elif rtype == "AWS::S3::BucketPolicy":
            s3.fold_bucket_policy(props, self.builders, self.names, line)
        elif rtype == "AWS::IAM::AccessKey":
            iam.fold_access_key(props, self.builders, self.names)
        elif rtype == "AWS::IAM::UserToGroupAddition":
            iam.fold_user_to_group(props, self.builders, self.names)
        elif rtype == "AWS::SecretsManager::RotationSchedule":
            governance.fold_rotation_schedule(props, self.builders, self.names, line)
        elif rtype in apigateway.FOLDERS:
            apigateway.FOLDERS[rtype](uid_of(self.file, lid), props, self.builders, self.names, line)
        elif rtype in supporting.FOLDERS:
            supporting.FOLDERS[rtype](props, self.builders, self.names, line)
        elif rtype in sagemaker_more.FOLDERS:
            sagemaker_more.FOLDERS[rtype](props, self.builders, self.names, line)
        elif rtype == "AWS::ApplicationAutoScaling::ScalableTarget":
            governance.fold_scalable_target(
                lambda lid: uid_of(self.file, lid),
                r.get("Properties"),
                props,
                self.builders,
                self.names,
                line,
            )


def _fingerprint(value: str) -> str:
    # The same keyed hash the scrubber uses, so one value is recognised across resources.
    from scanner.secrets import _fp

    return _fp(value)


def normalize_template(doc: Mapping[str, Any], file: str) -> Batch:
    """`doc` must be a mapping with a `Resources` mapping (the collector checks both)."""
    return _Template(doc, file).run()
