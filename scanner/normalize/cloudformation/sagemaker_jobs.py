"""SageMaker jobs in CloudFormation: the jobs inside `AWS::SageMaker::Pipeline`
(PipelineDefinition.PipelineDefinitionBody) and `AWS::StepFunctions::StateMachine`
(Definition / DefinitionString) become resources of their own, uid
``<container uid>#<step>``, name ``<container name>/<step>``; and
`AWS::SageMaker::DataQualityJobDefinition`.

A container mapper returns the list of job builders; the template registers them in
place of the container's own builder."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from scanner.model.resource import Unresolved
from scanner.normalize.sagemaker_pipeline import (
    TRAINING,
    JobSpec,
    job_attrs,
    pipeline_jobs,
    state_machine_jobs,
)

from .builder import MISSING, Builder, dig, to_bool, to_str

ROLE = "aws.iam.role"
DATA_QUALITY = "aws.sagemaker.data_quality_job_definition"
JOB = TRAINING  # the type the container is registered under; its jobs carry their own


def _jobs(b: Builder, path: tuple, specs: list[JobSpec], kind: str) -> list[Builder]:
    container = b.uid
    line = b.line(*path)
    out = []
    for spec in specs:
        jb = Builder(
            f"{container}#{spec.step}",
            spec.rtype,
            f"{b.name}/{spec.step}",
            replace(b.source),
            b.props,
            b.raw,
            names=b.names,
        )
        jb.tags = dict(b.tags)
        jb.suppressions = list(b.suppressions)
        ja = job_attrs(spec, container, kind, line)
        for k, v in ja.attrs.items():
            if k == "secrets":
                continue
            jb.attrs[k] = v
            if line:
                jb.lines[k] = line
        jb.provenance.update(ja.provenance)
        jb.secrets.extend(ja.detections)
        role = ja.attrs.get("role_arn")
        if role is not None:
            jb.relate("execution_role", role, "role_arn", ROLE)
        out.append(jb)
    return out


def pipeline(b: Builder) -> list[Builder]:
    """A body kept in S3 (PipelineDefinitionS3Location) holds nothing the scan can read."""
    path = ("PipelineDefinition", "PipelineDefinitionBody")
    body = dig(b.props, path)
    if body is MISSING or body is None:
        return []
    if isinstance(body, Unresolved):  # an Fn::Sub known only after deployment keeps its text
        body = body.expr
    specs = [JobSpec(s.rtype, s.step, _substitute(s.args, {})) for s in pipeline_jobs(body)]
    return _jobs(b, path, specs, "AWS::SageMaker::Pipeline")


_SUB = re.compile(r"\$\{([^}!]+)\}")


def _substitute(v: Any, subs: dict[str, Any], depth: int = 0) -> Any:
    """``${Name}`` placeholders (DefinitionSubstitutions, or an Fn::Sub left unresolved);
    one whose value is not a literal string leaves the whole string unresolved."""
    if depth > 32:
        return v
    if isinstance(v, dict):
        return {k: _substitute(x, subs, depth + 1) for k, x in v.items()}
    if isinstance(v, list):
        return [_substitute(x, subs, depth + 1) for x in v]
    if isinstance(v, str) and "${" in v:
        names = _SUB.findall(v)
        if all(isinstance(subs.get(n), str) for n in names):
            return _SUB.sub(lambda m: subs[m.group(1)], v)
        whole = _SUB.fullmatch(v)
        if whole and whole.group(1) in subs and not isinstance(subs[whole.group(1)], str):
            return subs[whole.group(1)]  # a Ref or Unresolved stands for the whole value
        return Unresolved(f"placeholder in {v[:80]}")
    return v


def state_machine(b: Builder) -> list[Builder]:
    """An unknown definition is an error only where it visibly starts SageMaker jobs."""
    path: tuple = ("Definition",)
    d = dig(b.props, path)
    if d is MISSING or d is None:
        path = ("DefinitionString",)
        d = dig(b.props, path)
    if d is MISSING or d is None:
        return []  # DefinitionS3Location
    if isinstance(d, Unresolved):
        if "sagemaker:create" not in d.expr:
            return []
        # an Fn::Sub whose ${Resource.Attr} is known only after deployment keeps its text:
        # the placeholders become unresolved values below
        d = d.expr
    subs = dig(b.props, ("DefinitionSubstitutions",))
    subs = subs if isinstance(subs, dict) else {}
    if subs and isinstance(d, str):
        d = _SUB.sub(lambda m: subs[m.group(1)] if isinstance(subs.get(m.group(1)), str) else m.group(0), d)
    specs = [JobSpec(s.rtype, s.step, _substitute(s.args, subs)) for s in state_machine_jobs(d)]
    return _jobs(b, path, specs, "AWS::StepFunctions::StateMachine")


def data_quality_job_definition(b: Builder) -> None:
    b.attrs["arn"] = None  # known only once deployed
    b.prop("output_kms_key_id", ("DataQualityJobOutputConfig", "KmsKeyId"), to_str)
    b.prop("volume_kms_key_id", ("JobResources", "ClusterConfig", "VolumeKmsKeyId"), to_str)
    b.prop(
        "enable_inter_container_traffic_encryption",
        ("NetworkConfig", "EnableInterContainerTrafficEncryption"),
        to_bool,
        default=False,
    )
    b.prop("enable_network_isolation", ("NetworkConfig", "EnableNetworkIsolation"), to_bool, default=False)
    role = b.prop("role_arn", "RoleArn", to_str)
    b.relate("execution_role", role, "role_arn", ROLE)
    ep = b.prop("endpoint_name", ("DataQualityJobInput", "EndpointInput", "EndpointName"), to_str)
    b.relate("monitors", ep, "endpoint_name", "aws.sagemaker.endpoint")
