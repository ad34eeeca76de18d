"""Terraform -> canonical resources, for both front-ends (HCL and plan JSON).

`normalize` works on a whole batch because Terraform splits one cloud object over several
blocks (a role and its attachments, a bucket and its ACL): those are folded into their
target, and relations written as literal names are linked to resources of the batch."""

from __future__ import annotations

from scanner.model.batch import Batch
from scanner.model.finding import ScanError
from scanner.model.resource import Ref, Relation
from scanner.normalize.terraform.model import TfResource

from . import (
    apigateway,
    aws,
    bedrock,
    eks,
    fold,
    gcp,
    gcp_colab,
    gcp_iam,
    gcp_ml,
    gcp_more,
    network_iam,
    sagemaker_jobs,
    sagemaker_more,
    supporting,
)
from .builder import Built

MAPPERS = {
    **aws.MAPPERS,
    **gcp.MAPPERS,
    **bedrock.MAPPERS,
    **supporting.MAPPERS,
    **gcp_ml.MAPPERS,
    **sagemaker_jobs.MAPPERS,
    **apigateway.MAPPERS,
    **gcp_more.MAPPERS,
    **sagemaker_more.MAPPERS,
    **network_iam.MAPPERS,
    **gcp_iam.MAPPERS,
    **eks.MAPPERS,
    **gcp_colab.MAPPERS,
}
FOLDERS = {
    **fold.FOLDERS,
    **bedrock.FOLDERS,
    **supporting.FOLDERS,
    **gcp_ml.FOLDERS,
    **apigateway.FOLDERS,
    **gcp_more.FOLDERS,
    **sagemaker_more.FOLDERS,
    **gcp_iam.FOLDERS,
}


def supported_types() -> set[str]:
    """Every Terraform type this mapping reads (resources and folded modifiers)."""
    return set(MAPPERS) | set(FOLDERS)


def normalize(tf_resources: list[TfResource], dialect: str | None = None) -> Batch:
    dialect = dialect or (tf_resources[0].dialect if tf_resources else "terraform")
    batch = Batch(dialect)
    built: list[Built] = []
    folding: list[TfResource] = []
    for tf in tf_resources:
        if tf.mode != "managed":
            continue  # data sources describe what exists elsewhere; they are not ours to check
        if tf.type in MAPPERS:
            try:
                out = MAPPERS[tf.type](tf)  # a container (a pipeline) maps to a list
                built.extend(out if isinstance(out, list) else [out])
            except Exception as e:  # one odd block must not cost the rest of the batch
                batch.errors.append(_error(tf, e))
        if tf.type in FOLDERS:  # a type may be both: a resource of its own that also folds
            folding.append(tf)
        elif tf.type not in MAPPERS:
            batch.count_unmodelled(tf.type)

    idx = fold.Index(built)
    for tf in folding:
        try:
            FOLDERS[tf.type](tf, idx)
        except Exception as e:
            batch.errors.append(_error(tf, e))

    for b in built:
        batch.resources.append(b.resource)
        batch.aliases.update(b.aliases)
        for rel in b.relations:
            batch.relations.append(
                Relation(b.resource.uid, rel.kind, _target(idx, rel.target_type, rel.value), rel.attr)
            )
    batch.relations.extend(idx.relations)
    return batch


def _target(idx: fold.Index, rtype: str, value) -> str:
    """A Ref's uid; a literal name or ARN linked to the batch's resource when it names one,
    otherwise kept for the link stage (a role ARN of another stack)."""
    if isinstance(value, Ref):
        return value.uid
    found = idx.find(rtype, value)
    return found.resource.uid if found is not None else str(value)


def _error(tf: TfResource, e: Exception) -> ScanError:
    return ScanError(
        tf.dialect,
        f"cannot map {tf.address}: {type(e).__name__}: {e}",
        tf.file,
        unscanned=f"resource {tf.address}",
    )
