"""SageMaker jobs in Terraform: the jobs inside `aws_sagemaker_pipeline.pipeline_definition`
and `aws_sfn_state_machine.definition` (each becomes a resource of its own, uid
``<container uid>#<step>``, name ``<container name>/<step>``), and
`aws_sagemaker_data_quality_job_definition`."""

from __future__ import annotations

from typing import Any

from scanner.model.resource import Unresolved
from scanner.normalize.sagemaker_pipeline import (
    JobSpec,
    job_attrs,
    pipeline_jobs,
    state_machine_jobs,
)
from scanner.normalize.terraform.model import TfResource

from .builder import Builder, Built
from .values import Sensitive, to_bool

ROLE = "aws.iam.role"
DATA_QUALITY = "aws.sagemaker.data_quality_job_definition"


def _jobs(tf: TfResource, tf_path: str, specs: list[JobSpec], kind: str) -> list[Built]:
    out = []
    for spec in specs:
        b = Builder(tf, spec.rtype, "aws")
        b.res.uid = f"{tf.uid}#{spec.step}"
        b.res.name = f"{tf.name}/{spec.step}"
        line = b.line(tf_path)
        ja = job_attrs(spec, tf.uid, kind, line)
        for k, v in ja.attrs.items():
            if k != "secrets":
                b.put(k, v, tf_path=tf_path)
        b.res.provenance.update(ja.provenance)
        b.detections.extend(ja.detections)
        role = ja.attrs.get("role_arn")
        if role is not None:
            b.relate("execution_role", role, "role_arn", ROLE)
        out.append(b.finish(with_secrets=True))
    return out


def _definition(tf: TfResource, tf_path: str) -> Any:
    v = tf.config.get(tf_path)
    if isinstance(v, Sensitive):
        return Unresolved("sensitive definition")
    return v


def pipeline(tf: TfResource) -> list[Built]:
    """`aws_sagemaker_pipeline`: its Training/Processing/Transform steps. A definition kept
    in S3 (pipeline_definition_s3_location) holds nothing the scan can read; one not known
    statically (a plan's "known after apply") raises, so the scan reports it unscanned."""
    d = _definition(tf, "pipeline_definition")
    if d is None:
        return []
    return _jobs(tf, "pipeline_definition", pipeline_jobs(d), "aws_sagemaker_pipeline")


def state_machine(tf: TfResource) -> list[Built]:
    """`aws_sfn_state_machine`: its SageMaker createTrainingJob/ProcessingJob/TransformJob
    tasks. An unknown definition is an error only where it visibly starts SageMaker jobs."""
    d = _definition(tf, "definition")
    if d is None:
        return []
    if isinstance(d, Unresolved) and "sagemaker:create" not in d.expr:
        return []
    return _jobs(tf, "definition", state_machine_jobs(d), "aws_sfn_state_machine")


def data_quality_job_definition(tf: TfResource) -> Built:
    b = Builder(tf, DATA_QUALITY, "aws")
    name = b.get("name")
    b.key(name)
    b.attr("arn")
    b.attr("output_kms_key_id", "data_quality_job_output_config.kms_key_id")
    b.attr("volume_kms_key_id", "job_resources.cluster_config.volume_kms_key_id")
    b.attr(
        "enable_inter_container_traffic_encryption",
        "network_config.enable_inter_container_traffic_encryption",
        default=False,
        conv=to_bool,
    )
    b.attr("enable_network_isolation", "network_config.enable_network_isolation", default=False, conv=to_bool)
    role = b.attr("role_arn")
    b.relate("execution_role", role, "role_arn", ROLE)
    ep = b.attr("endpoint_name", "data_quality_job_input.endpoint_input.endpoint_name")
    b.relate("monitors", ep, "endpoint_name", "aws.sagemaker.endpoint")
    return b.finish()


MAPPERS = {
    "aws_sagemaker_pipeline": pipeline,
    "aws_sfn_state_machine": state_machine,
    "aws_sagemaker_data_quality_job_definition": data_quality_job_definition,
}
