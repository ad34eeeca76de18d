"""Vertex AI beyond endpoints: datasets, metadata stores, featurestores, TensorBoards, Vector
Search index endpoints, managed notebook runtimes, and Shielded VM on Workbench instances."""

from __future__ import annotations

from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

DATASET = "gcp.vertex.dataset"
METADATA_STORE = "gcp.vertex.metadata_store"
FEATURESTORE = "gcp.vertex.featurestore"
TENSORBOARD = "gcp.vertex.tensorboard"
INDEX_ENDPOINT = "gcp.vertex.index_endpoint"
RUNTIME = "gcp.vertex.notebook_runtime"
WORKBENCH = "gcp.vertex.workbench_instance"

CMEK_DOC = "https://cloud.google.com/vertex-ai/docs/general/cmek"
_KEY = "google_kms_crypto_key.vertex.id"


def _cmek_fix(resource: str, cli: str) -> dict[str, str]:
    return {
        "terraform": f'resource "{resource}" "x" {{\n  # ...\n  encryption_spec {{\n'
        f"    kms_key_name = {_KEY}\n  }}\n}}",
        "cli": f"{cli}\n# The Vertex AI service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on the key;"
        " the key cannot be changed after creation, so recreate the resource.",
    }


def _cmek_verdict(r: Resource):
    if not r.a.get("encryption_key"):
        return fail("no customer-managed key is set", at="encryption_key")
    return ok()


@rule(
    id="vertex-dataset-encrypted-with-cmek",
    title="Vertex AI datasets are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[DATASET],
    description="Without an encryption spec, a Vertex AI dataset (training data, labels, annotations) is "
    "encrypted with a Google-managed key you cannot restrict, rotate or revoke.",
    risk="No key-level control over, or crypto-shredding of, training data.",
    remediation=_cmek_fix(
        "google_vertex_ai_dataset",
        "gcloud ai datasets create --display-name=NAME --region=REGION"
        " --encryption-kms-key-name=projects/P/locations/L/keyRings/R/cryptoKeys/K  # or the REST API",
    ),
    references=[
        CMEK_DOC,
        "https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.datasets",
    ],
    aliases=["CKV_GCP_92"],
)
def dataset_cmek(ds: Resource):
    return _cmek_verdict(ds)


@rule(
    id="vertex-metadata-store-encrypted-with-cmek",
    title="Vertex AI metadata stores are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[METADATA_STORE],
    description="The ML Metadata store records lineage: artifacts, executions, parameters and metrics of "
    "every pipeline run. Without an encryption spec it uses a Google-managed key.",
    risk="No key-level control over experiment lineage and the artifact locations it reveals.",
    remediation=_cmek_fix(
        "google_vertex_ai_metadata_store",
        'curl -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)"'
        " https://REGION-aiplatform.googleapis.com/v1/projects/P/locations/REGION/metadataStores?metadataStoreId=ID"
        ' -d \'{"encryptionSpec": {"kmsKeyName": "KEY"}}\'',
    ),
    references=[CMEK_DOC, "https://cloud.google.com/vertex-ai/docs/ml-metadata/configure"],
    aliases=["CKV_GCP_96"],
)
def metadata_store_cmek(ms: Resource):
    return _cmek_verdict(ms)


@rule(
    id="vertex-featurestore-encrypted-with-cmek",
    title="Vertex AI featurestores are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[FEATURESTORE],
    description="A featurestore holds the feature values models train and serve on, often derived from "
    "personal data. Without an encryption spec it uses a Google-managed key.",
    risk="No key-level control over, or crypto-shredding of, feature data.",
    remediation=_cmek_fix(
        "google_vertex_ai_featurestore",
        'curl -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)"'
        " https://REGION-aiplatform.googleapis.com/v1/projects/P/locations/REGION/featurestores?featurestoreId=ID"
        ' -d \'{"encryptionSpec": {"kmsKeyName": "KEY"}}\'',
    ),
    references=[CMEK_DOC, "https://cloud.google.com/vertex-ai/docs/featurestore/managing-featurestores"],
    aliases=["CKV2_GCP_25"],
)
def featurestore_cmek(fs: Resource):
    return _cmek_verdict(fs)


@rule(
    id="vertex-tensorboard-encrypted-with-cmek",
    title="Vertex AI TensorBoard instances are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[TENSORBOARD],
    description="TensorBoard experiments hold training metrics, hyperparameters, sample inputs and "
    "embeddings. Without an encryption spec they use a Google-managed key.",
    risk="No key-level control over experiment data, which can include training samples.",
    remediation=_cmek_fix(
        "google_vertex_ai_tensorboard",
        "gcloud ai tensorboards create --display-name=NAME --region=REGION"
        " --encryption-kms-key-name=projects/P/locations/L/keyRings/R/cryptoKeys/K",
    ),
    references=[CMEK_DOC, "https://cloud.google.com/vertex-ai/docs/experiments/tensorboard-setup"],
    aliases=["CKV2_GCP_26"],
)
def tensorboard_cmek(tb: Resource):
    return _cmek_verdict(tb)


@rule(
    id="vertex-index-endpoint-private",
    title="Vertex AI Vector Search index endpoints are private (VPC peering or Private Service Connect)",
    severity="medium",
    category="network",
    applies_to=[INDEX_ENDPOINT],
    description="A public index endpoint answers nearest-neighbour queries from the internet for anyone "
    "holding a token with aiplatform.indexEndpoints.findNeighbors; the index often embeds private "
    "documents a RAG application retrieves. A private one is reachable only from your VPC.",
    risk="Retrieval of embedded documents, and embedding inversion, from outside the network perimeter.",
    remediation={
        "terraform": 'network = "projects/${data.google_project.p.number}/global/networks/${google_compute_network.vpc.name}"'
        "\npublic_endpoint_enabled = false"
        "\n# or private_service_connect_config { enable_private_service_connect = true project_allowlist = [...] }",
        "cli": "gcloud ai index-endpoints create --display-name=NAME --region=REGION"
        " --network=projects/NUMBER/global/networks/VPC  # then redeploy the index to it",
    },
    references=[
        "https://cloud.google.com/vertex-ai/docs/vector-search/setup/vpc",
        "https://cloud.google.com/vertex-ai/docs/vector-search/setup/private-service-connect",
    ],
    aliases=["CKV2_GCP_34"],
)
def index_endpoint_private(ie: Resource):
    if ie.a.get("public_endpoint_enabled", False):
        return fail("the public endpoint is enabled", at="public_endpoint_enabled")
    if ie.a.get("private_service_connect", False) or ie.a.get("network"):
        return ok()
    return fail("neither a VPC network nor Private Service Connect is set", at="network")


@rule(
    id="vertex-notebook-runtime-encrypted-with-cmek",
    title="Vertex AI managed notebook runtimes are encrypted with a customer-managed key",
    severity="low",
    category="encryption",
    applies_to=[RUNTIME],
    description="Without an encryption config the runtime's disks (notebooks, downloaded datasets, cached "
    "credentials) use a Google-managed key you cannot restrict or revoke.",
    risk="No key-level control over notebook data at rest.",
    remediation={
        "terraform": "virtual_machine {\n  virtual_machine_config {\n    encryption_config {\n"
        "      kms_key = google_kms_crypto_key.vertex.id\n    }\n  }\n}",
        "cli": "gcloud notebooks runtimes create NAME --location=REGION --kms-key=KEY"
        " (managed notebooks are deprecated: migrate to Workbench instances with --boot-disk-kms-key)",
    },
    references=["https://cloud.google.com/vertex-ai/docs/workbench/managed/cmek"],
    aliases=["CKV2_GCP_35"],
)
def runtime_cmek(rt: Resource):
    if not rt.a.get("disk_encryption_key"):
        return fail("no customer-managed key is set", at="disk_encryption_key")
    return ok()


@rule(
    id="vertex-notebook-runtime-private",
    title="Vertex AI managed notebook runtimes have internal IP addresses only",
    severity="high",
    category="network",
    applies_to=[RUNTIME],
    description="A runtime VM with an external IP is directly reachable from, and can reach, the "
    "internet, bypassing Cloud NAT and firewall egress controls.",
    risk="Direct exposure of the notebook VM and unfiltered data exfiltration.",
    remediation={
        "terraform": "virtual_machine {\n  virtual_machine_config {\n    internal_ip_only = true\n"
        "    network = google_compute_network.vpc.id\n    subnet  = google_compute_subnetwork.nb.id\n  }\n}",
        "cli": "gcloud notebooks runtimes create NAME --location=REGION --internal-ip-only"
        " --network=VPC --subnet=SUBNET",
    },
    references=["https://cloud.google.com/vertex-ai/docs/workbench/managed/networking"],
    aliases=["CKV2_GCP_36"],
)
def runtime_private(rt: Resource):
    if not rt.a.get("no_public_ip", False):
        return fail("the runtime VM has a public IP address", at="no_public_ip")
    return ok()


@rule(
    id="vertex-workbench-shielded-vtpm-enabled",
    title="Vertex AI Workbench VMs have the Shielded VM virtual TPM enabled",
    severity="medium",
    category="isolation",
    applies_to=[WORKBENCH, RUNTIME],
    description="The virtual TPM backs Measured Boot and protects keys and secrets the VM generates; "
    "without it a compromised boot chain cannot be detected.",
    risk="Boot-level malware (rootkits, bootkits) on a notebook VM that holds data and credentials.",
    remediation={
        "terraform": "gce_setup {\n  shielded_instance_config {\n    enable_vtpm = true\n  }\n}"
        "\n# google_notebooks_runtime: virtual_machine.virtual_machine_config.shielded_instance_config",
        "cli": "gcloud workbench instances create NAME --location=ZONE --shielded-vtpm=true",
    },
    references=[
        "https://cloud.google.com/compute/shielded-vm/docs/shielded-vm#vtpm",
        "https://cloud.google.com/vertex-ai/docs/workbench/instances/create",
    ],
    aliases=["CKV_GCP_126"],
)
def shielded_vtpm(vm: Resource):
    if not vm.a.get("shielded_vtpm", True):
        return fail("the virtual TPM is disabled", at="shielded_vtpm")
    return ok()


@rule(
    id="vertex-workbench-shielded-integrity-monitoring-enabled",
    title="Vertex AI Workbench VMs have Shielded VM integrity monitoring enabled",
    severity="low",
    category="isolation",
    applies_to=[WORKBENCH, RUNTIME],
    description="Integrity monitoring compares each boot against a known-good baseline and reports "
    "deviations to Cloud Monitoring; without it a tampered boot sequence goes unnoticed.",
    risk="Undetected boot-level compromise of a notebook VM.",
    remediation={
        "terraform": "gce_setup {\n  shielded_instance_config {\n    enable_integrity_monitoring = true\n  }\n}"
        "\n# google_notebooks_runtime: virtual_machine.virtual_machine_config.shielded_instance_config",
        "cli": "gcloud workbench instances create NAME --location=ZONE --shielded-integrity-monitoring=true",
    },
    references=["https://cloud.google.com/compute/shielded-vm/docs/integrity-monitoring"],
    aliases=["CKV_GCP_127"],
)
def shielded_integrity(vm: Resource):
    if not vm.a.get("shielded_integrity_monitoring", True):
        return fail("integrity monitoring is disabled", at="shielded_integrity_monitoring")
    return ok()
