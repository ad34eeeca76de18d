"""Supply chain of ML workloads on Kubernetes: the images they run and the models they load."""

from __future__ import annotations

from rules.helpers.images import model_source_problem, parse_image
from rules.k8s._common import WORKLOAD, containers, each, gpu_state, label
from rules.sdk import fail, rule, unknown
from scanner.model.resource import Resource, Unresolved

# Kinds that exist only to train or serve models: their images matter whether or not a GPU
# is requested in the manifest.
ML_KINDS = frozenset(
    {
        "InferenceService",
        "PyTorchJob",
        "TFJob",
        "MPIJob",
        "XGBoostJob",
        "PaddleJob",
        "JAXJob",
        "RayCluster",
        "RayJob",
    }
)
SLSA = "https://slsa.dev/spec/v1.0/"
DIGEST_DOC = "https://kubernetes.io/docs/concepts/containers/images/#image-names"


def _ml_scope(r: Resource):
    """True for ML/GPU workloads, False otherwise, an UNKNOWN verdict when GPU use is unresolved."""
    kind = r.attrs.get("kind")
    if kind in ML_KINDS or (kind == "Service" and r.attrs.get("exposure") is not None):
        return True
    g = gpu_state(r)
    if isinstance(g, Unresolved):
        return unknown(f"whether the workload uses GPUs is unresolved ({g.expr})", "gpu")
    return g


def _images(r: Resource, check):
    scope = _ml_scope(r)
    if scope is not True:
        return scope or None

    def one(_t, c):
        image = c.get("image")
        if image is None:
            return None  # a KServe runtime supplies the image
        return check(c, image)

    return each(containers(r), one)


@rule(
    id="k8s-images-pinned-by-digest",
    title="Containers of GPU and ML workloads are pinned by image digest",
    severity="medium",
    category="supply-chain",
    applies_to=[WORKLOAD],
    description="A tag (and above all `latest` or no tag) can be moved to new content by whoever can push "
    "to the repository. Model servers and training jobs run with access to models, data and "
    "GPUs, so a swapped image is a direct route to model theft or poisoning. Pin by @sha256 "
    "digest and update it deliberately.",
    risk="A re-pushed or compromised tag runs attacker code next to models, data and credentials.",
    remediation={
        "kubernetes": "containers:\n  - name: server\n"
        "    image: registry.example.com/server@sha256:<64 hex digits>"
    },
    references=[DIGEST_DOC, SLSA],
    aliases=["CKV_K8S_43"],
)
def images_pinned_by_digest(r: Resource):
    def check(c, image):
        ref = parse_image(image)
        if ref is None:
            return fail(f"{label(c)} has an unparseable image reference", at=c.path_of("image"))
        if ref.latest:
            return fail(f"{label(c)} uses the latest tag, not a digest", at=c.path_of("image"))
        if not ref.pinned:
            return fail(f"{label(c)} uses a mutable tag, not a digest", at=c.path_of("image"))
        return None

    return _images(r, check)


@rule(
    id="k8s-images-from-private-registry",
    title="Containers of GPU and ML workloads come from a private registry",
    severity="low",
    category="supply-chain",
    applies_to=[WORKLOAD],
    description="Images pulled straight from Docker Hub, ghcr.io, quay.io, nvcr.io or public.ecr.aws are "
    "outside the organisation's scanning, signing and retention controls, and a public "
    "registry can be unavailable or rate-limited when a GPU node scales up. Mirror them into "
    "ECR, Artifact Registry or an internal registry.",
    risk="Unscanned third-party images; pulls that fail when the public registry throttles.",
    remediation={
        "kubernetes": "image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/vllm@sha256:<digest>"
    },
    references=["https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html"],
)
def images_from_private_registry(r: Resource):
    def check(c, image):
        ref = parse_image(image)
        if ref is not None and ref.public:
            return fail(f"{label(c)} pulls from the public registry {ref.registry}", at=c.path_of("image"))
        return None

    return _images(r, check)


@rule(
    id="k8s-model-source-not-plain-http",
    title="Inference services load models over an authenticated, integrity-protected source",
    severity="high",
    category="supply-chain",
    applies_to=[WORKLOAD],
    description="A KServe storageUri over http:// can be altered in transit, and a model hub reference "
    "(hf://org/model) without a pinned commit loads whatever the owner pushed last. Either way "
    "the served model, often a pickle that runs code when loaded, is not the one reviewed.",
    risk="Model substitution or poisoning; code execution through a malicious serialized model.",
    remediation={
        "kubernetes": "spec:\n  predictor:\n    model:\n"
        "      storageUri: s3://models/llm/v3   # or hf://org/model@<40-char commit sha>"
    },
    references=[
        "https://kserve.github.io/website/latest/modelserving/storage/storagecontainers/",
        "https://huggingface.co/docs/hub/security-pickle",
    ],
)
def model_source_not_plain_http(r: Resource):
    def one(_t, c):
        uri = c.get("storage_uri")
        problem = model_source_problem(uri) if uri else None
        if problem:
            return fail(f"{label(c)}: {problem}", at=c.path_of("storage_uri"))
        return None

    return each(containers(r), one)
