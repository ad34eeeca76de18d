"""EKS identity plumbing the privilege graph follows out of a cluster: Pod Identity
associations (a namespace's service account -> an IAM role)."""

from __future__ import annotations

from collections.abc import Callable

from scanner.normalize.terraform.model import TfResource

from .builder import Builder, Built

POD_IDENTITY = "aws.eks.pod_identity_association"


def pod_identity_association(tf: TfResource) -> Built:
    b = Builder(tf, POD_IDENTITY, "aws")
    b.attr("cluster_name")
    b.attr("namespace")
    b.attr("service_account")
    role = b.attr("role_arn")
    b.relate("grants_role", role, "role_arn", "aws.iam.role")
    return b.finish()


MAPPERS: dict[str, Callable[[TfResource], Built]] = {
    "aws_eks_pod_identity_association": pod_identity_association,
}
