"""A live resource and its Terraform equivalent normalize to the same canonical attrs, so
one rule judges both (DESIGN, Canonical attributes)."""

from __future__ import annotations

from scanner.collect.gcp.context import Raw
from scanner.model.resource import Resource
from scanner.normalize.gcp import data, serverless, vertex
from scanner.normalize.terraform.mapping import normalize
from scanner.normalize.terraform.model import TfResource

KEY = "projects/p/locations/us-central1/keyRings/k/cryptoKeys/c"
SA = "run-sa@p.iam.gserviceaccount.com"


def tf(rtype: str, config: dict, *folded: tuple[str, dict]) -> Resource:
    recs = [TfResource("managed", rtype, "x", "", config, file="main.tf", start_line=1, end_line=9)]
    recs += [
        TfResource("managed", t, f"f{i}", "", c, file="main.tf", start_line=10, end_line=12)
        for i, (t, c) in enumerate(folded)
    ]
    batch = normalize(recs)
    assert not batch.errors
    return next(r for r in batch.resources if r.type != "gcp.iam.project_binding")


def same(live: Resource, iac: Resource, skip: tuple[str, ...] = ("secrets",)) -> None:
    assert live.type == iac.type
    a = {k: v for k, v in live.attrs.items() if k not in skip}
    b = {k: v for k, v in iac.attrs.items() if k not in skip}
    assert a == b


def test_vertex_endpoint():
    live = vertex.endpoint(
        Raw(
            "vertex.endpoint",
            "p",
            {
                "name": "projects/1/locations/us-central1/endpoints/9",
                "displayName": "ep",
                "encryptionSpec": {"kmsKeyName": KEY},
                "predictRequestResponseLoggingConfig": {"enabled": True},
            },
            "us-central1",
        )
    ).res
    iac = tf(
        "google_vertex_ai_endpoint",
        {
            "name": "9",
            "display_name": "ep",
            "location": "us-central1",
            "encryption_spec": [{"kms_key_name": KEY}],
            "predict_request_response_logging_config": [{"enabled": True}],
        },
    )
    same(live, iac)
    assert (
        live.provenance_of("private_service_connect")
        == iac.provenance_of("private_service_connect")
        == "default"
    )


def test_cloud_run_service_with_public_invoker():
    live = serverless.run_service(
        Raw(
            "run.service",
            "p",
            {
                "name": "projects/p/locations/us-central1/services/s",
                "ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY",
                "template": {
                    "serviceAccount": SA,
                    "containers": [
                        {
                            "image": "img",
                            "env": [
                                {"name": "A", "value": "1"},
                                {"name": "T", "valueSource": {"secretKeyRef": {"secret": "t"}}},
                            ],
                        }
                    ],
                    "vpcAccess": {"egress": "ALL_TRAFFIC", "connector": "c"},
                },
            },
            "us-central1",
            policy={"bindings": [{"role": "roles/run.invoker", "members": ["allUsers"]}]},
        )
    ).res
    iac = tf(
        "google_cloud_run_v2_service",
        {
            "name": "s",
            "location": "us-central1",
            "ingress": "INGRESS_TRAFFIC_INTERNAL_ONLY",
            "template": [
                {
                    "service_account": SA,
                    "containers": [
                        {
                            "image": "img",
                            "env": [
                                {"name": "A", "value": "1"},
                                {"name": "T", "value_source": [{"secret_key_ref": [{"secret": "t"}]}]},
                            ],
                        }
                    ],
                    "vpc_access": [{"egress": "ALL_TRAFFIC", "connector": "c"}],
                }
            ],
        },
        (
            "google_cloud_run_v2_service_iam_member",
            {"name": "s", "role": "roles/run.invoker", "member": "allUsers"},
        ),
    )
    same(live, iac)


def test_storage_bucket_with_iam():
    live = data.bucket(
        Raw(
            "storage.bucket",
            "",
            {
                "name": "b",
                "projectNumber": "1",
                "iamConfiguration": {
                    "uniformBucketLevelAccess": {"enabled": True},
                    "publicAccessPrevention": "enforced",
                },
                "encryption": {"defaultKmsKeyName": KEY},
                "versioning": {"enabled": True},
            },
            policy={"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]},
        ),
        {},
    ).res
    iac = tf(
        "google_storage_bucket",
        {
            "name": "b",
            "location": "US",
            "uniform_bucket_level_access": True,
            "public_access_prevention": "enforced",
            "encryption": [{"default_kms_key_name": KEY}],
            "versioning": [{"enabled": True}],
        },
        (
            "google_storage_bucket_iam_member",
            {"bucket": "b", "role": "roles/storage.objectViewer", "member": "allUsers"},
        ),
    )
    same(live, iac)


def test_cloud_function_v1():
    live = serverless.function_v1(
        Raw(
            "functions.v1",
            "p",
            {
                "name": "projects/p/locations/us-central1/functions/f",
                "httpsTrigger": {"securityLevel": "SECURE_ALWAYS"},
                "ingressSettings": "ALLOW_INTERNAL_ONLY",
                "serviceAccountEmail": SA,
                "environmentVariables": {"A": "1"},
            },
            policy={"bindings": [{"role": "roles/cloudfunctions.invoker", "members": ["allUsers"]}]},
        )
    ).res
    iac = tf(
        "google_cloudfunctions_function",
        {
            "name": "f",
            "runtime": "python311",
            "trigger_http": True,
            "https_trigger_security_level": "SECURE_ALWAYS",
            "ingress_settings": "ALLOW_INTERNAL_ONLY",
            "service_account_email": SA,
            "environment_variables": {"A": "1"},
        },
        (
            "google_cloudfunctions_function_iam_member",
            {"cloud_function": "f", "role": "roles/cloudfunctions.invoker", "member": "allUsers"},
        ),
    )
    same(live, iac)


def test_secret_with_user_managed_cmek_replicas():
    live = data.secret(
        Raw(
            "secretmanager.secret",
            "p",
            {
                "name": "projects/1/secrets/s",
                "rotation": {"rotationPeriod": "7776000s"},
                "replication": {
                    "userManaged": {
                        "replicas": [{"location": "us", "customerManagedEncryption": {"kmsKeyName": KEY}}]
                    }
                },
            },
            policy={"etag": "ACAB"},
        )
    ).res
    iac = tf(
        "google_secret_manager_secret",
        {
            "secret_id": "s",
            "rotation": [{"rotation_period": "7776000s"}],
            "replication": [
                {
                    "user_managed": [
                        {
                            "replicas": [
                                {"location": "us", "customer_managed_encryption": [{"kms_key_name": KEY}]}
                            ]
                        }
                    ]
                }
            ],
        },
    )
    same(live, iac)


def test_workbench_instance():
    live = vertex.workbench_instance(
        Raw(
            "notebooks.instance",
            "p",
            {
                "name": "projects/p/locations/us-central1-a/instances/nb",
                "gceSetup": {
                    "disablePublicIp": True,
                    "serviceAccounts": [{"email": SA}],
                    "bootDisk": {"kmsKey": KEY},
                    "shieldedInstanceConfig": {"enableSecureBoot": True},
                    "metadata": {"idle-timeout-seconds": "3600", "notebook-disable-root": "true"},
                    "acceleratorConfigs": [{"type": "NVIDIA_TESLA_T4", "coreCount": "1"}],
                },
            },
        )
    ).res
    iac = tf(
        "google_workbench_instance",
        {
            "name": "nb",
            "location": "us-central1-a",
            "gce_setup": [
                {
                    "disable_public_ip": True,
                    "service_accounts": [{"email": SA}],
                    "boot_disk": [{"kms_key": KEY}],
                    "shielded_instance_config": [{"enable_secure_boot": True}],
                    "metadata": {"idle-timeout-seconds": "3600", "notebook-disable-root": "true"},
                    "accelerator_configs": [{"type": "NVIDIA_TESLA_T4", "core_count": 1}],
                }
            ],
        },
    )
    same(live, iac)
