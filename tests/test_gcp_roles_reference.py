"""Facts about GCP predefined roles checked against vendored copies of Google's role dumps
(iann0036/iam-dataset gcp/roles/<name>.json; commits recorded in gcp_roles.json `_verified`).
Each case is one permission the technique catalogue or the data edges ask about."""

import pytest

from scanner.graph.gcp_roles import predefined

ALLOWS = [
    ("roles/storage.objectViewer", "storage.objects.get"),
    ("roles/storage.objectUser", "storage.objects.get"),
    ("roles/storage.objectUser", "storage.objects.create"),
    ("roles/storage.objectCreator", "storage.objects.create"),
    ("roles/storage.legacyObjectReader", "storage.objects.get"),
    ("roles/storage.legacyBucketWriter", "storage.objects.create"),
    ("roles/storage.admin", "storage.buckets.setIamPolicy"),
    ("roles/secretmanager.secretAccessor", "secretmanager.versions.access"),
    ("roles/secretmanager.admin", "secretmanager.versions.access"),
    ("roles/cloudkms.cryptoKeyDecrypter", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/cloudkms.cryptoKeyEncrypterDecrypter", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/cloudkms.admin", "cloudkms.cryptoKeys.setIamPolicy"),
    ("roles/cloudkms.admin", "cloudkms.cryptoKeyVersions.useToDecryptViaDelegation"),
    ("roles/iam.securityReviewer", "storage.objects.list"),
    ("roles/iam.securityReviewer", "resourcemanager.projects.getIamPolicy"),
    ("roles/aiplatform.admin", "aiplatform.customJobs.create"),
    ("roles/aiplatform.admin", "aiplatform.datasets.export"),
    ("roles/aiplatform.admin", "aiplatform.featurestores.batchReadFeatureValues"),
    ("roles/aiplatform.admin", "aiplatform.models.export"),
    ("roles/aiplatform.admin", "aiplatform.endpoints.predict"),
    ("roles/notebooks.legacyAdmin", "notebooks.instances.create"),
    ("roles/notebooks.legacyAdmin", "compute.instances.setServiceAccount"),
    ("roles/compute.admin", "compute.instances.create"),
    ("roles/compute.instanceAdmin", "compute.instances.setServiceAccount"),
    ("roles/compute.instanceAdmin", "compute.subnetworks.use"),
    ("roles/compute.osAdminLogin", "compute.instances.osAdminLogin"),
    ("roles/container.developer", "container.pods.exec"),
    ("roles/container.developer", "container.clusterRoles.get"),
    ("roles/artifactregistry.reader", "artifactregistry.repositories.downloadArtifacts"),
    ("roles/artifactregistry.writer", "artifactregistry.repositories.uploadArtifacts"),
    (
        "roles/composer.user",
        "composer.dags.execute",
    ),  # basic roles: only the technique-relevant permissions were checked
    ("roles/owner", "aiplatform.customJobs.create"),
    ("roles/owner", "aiplatform.datasets.export"),
    ("roles/owner", "aiplatform.endpoints.predict"),
    ("roles/owner", "aiplatform.featurestores.batchReadFeatureValues"),
    ("roles/owner", "aiplatform.models.export"),
    ("roles/owner", "artifactregistry.repositories.downloadArtifacts"),
    ("roles/owner", "cloudbuild.builds.create"),
    ("roles/owner", "cloudfunctions.functions.create"),
    ("roles/owner", "cloudfunctions.functions.invoke"),
    ("roles/owner", "cloudfunctions.functions.sourceCodeSet"),
    ("roles/owner", "cloudfunctions.functions.update"),
    ("roles/owner", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/owner", "composer.environments.create"),
    ("roles/owner", "compute.disks.create"),
    ("roles/owner", "compute.instances.create"),
    ("roles/owner", "compute.instances.setServiceAccount"),
    ("roles/owner", "compute.subnetworks.use"),
    ("roles/owner", "dataflow.jobs.create"),
    ("roles/owner", "dataproc.clusters.create"),
    ("roles/owner", "iam.roles.update"),
    ("roles/owner", "iam.serviceAccountKeys.create"),
    ("roles/owner", "iam.serviceAccounts.actAs"),
    ("roles/owner", "iam.serviceAccounts.setIamPolicy"),
    ("roles/owner", "notebooks.instances.create"),
    ("roles/owner", "notebooks.instances.update"),
    ("roles/owner", "resourcemanager.projects.setIamPolicy"),
    ("roles/owner", "run.jobs.create"),
    ("roles/owner", "run.jobs.run"),
    ("roles/owner", "run.jobs.update"),
    ("roles/owner", "run.routes.invoke"),
    ("roles/owner", "run.services.create"),
    ("roles/owner", "run.services.update"),
    ("roles/owner", "secretmanager.versions.access"),
    ("roles/editor", "aiplatform.customJobs.create"),
    ("roles/editor", "aiplatform.datasets.export"),
    ("roles/editor", "aiplatform.endpoints.predict"),
    ("roles/editor", "aiplatform.featurestores.batchReadFeatureValues"),
    ("roles/editor", "aiplatform.models.export"),
    ("roles/editor", "artifactregistry.repositories.downloadArtifacts"),
    ("roles/editor", "cloudbuild.builds.create"),
    ("roles/editor", "cloudfunctions.functions.create"),
    ("roles/editor", "cloudfunctions.functions.invoke"),
    ("roles/editor", "cloudfunctions.functions.sourceCodeSet"),
    ("roles/editor", "cloudfunctions.functions.update"),
    ("roles/editor", "composer.environments.create"),
    ("roles/editor", "compute.disks.create"),
    ("roles/editor", "compute.instances.create"),
    ("roles/editor", "compute.instances.setServiceAccount"),
    ("roles/editor", "compute.subnetworks.use"),
    ("roles/editor", "dataflow.jobs.create"),
    ("roles/editor", "dataproc.clusters.create"),
    ("roles/editor", "iam.serviceAccountKeys.create"),
    ("roles/editor", "iam.serviceAccounts.actAs"),
    ("roles/editor", "notebooks.instances.create"),
    ("roles/editor", "notebooks.instances.update"),
    ("roles/editor", "run.jobs.create"),
    ("roles/editor", "run.jobs.run"),
    ("roles/editor", "run.jobs.update"),
    ("roles/editor", "run.routes.invoke"),
    ("roles/editor", "run.services.create"),
    ("roles/editor", "run.services.update"),
]

DENIES = [
    ("roles/storage.objectViewer", "storage.objects.create"),
    ("roles/storage.objectCreator", "storage.objects.get"),
    ("roles/storage.legacyBucketReader", "storage.objects.get"),
    ("roles/storage.legacyBucketOwner", "storage.objects.get"),
    ("roles/storage.admin", "storage.hmacKeys.create"),
    ("roles/secretmanager.viewer", "secretmanager.versions.access"),
    ("roles/secretmanager.secretVersionManager", "secretmanager.versions.access"),
    ("roles/secretmanager.secretVersionAdder", "secretmanager.versions.access"),
    ("roles/cloudkms.admin", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/cloudkms.cryptoKeyEncrypter", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/cloudkms.signerVerifier", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/cloudkms.viewer", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/iam.securityReviewer", "storage.objects.get"),
    ("roles/iam.securityReviewer", "secretmanager.versions.access"),
    ("roles/iam.securityReviewer", "storage.buckets.get"),
    ("roles/aiplatform.admin", "iam.serviceAccounts.actAs"),
    ("roles/aiplatform.viewer", "aiplatform.endpoints.predict"),
    ("roles/aiplatform.viewer", "aiplatform.datasets.export"),
    ("roles/notebooks.legacyAdmin", "iam.serviceAccounts.actAs"),
    ("roles/notebooks.viewer", "notebooks.instances.create"),
    ("roles/composer.user", "composer.environments.create"),
    ("roles/composer.user", "iam.serviceAccounts.actAs"),
    ("roles/dataflow.viewer", "dataflow.jobs.create"),
    ("roles/dataproc.viewer", "dataproc.clusters.create"),
    ("roles/compute.admin", "iam.serviceAccounts.actAs"),
    ("roles/compute.instanceAdmin", "iam.serviceAccounts.actAs"),
    ("roles/compute.viewer", "compute.instances.create"),
    ("roles/compute.osLogin", "compute.instances.osAdminLogin"),
    ("roles/container.viewer", "container.secrets.get"),
    ("roles/container.clusterViewer", "container.clusters.getCredentials"),
    ("roles/container.developer", "container.clusters.create"),
    ("roles/container.developer", "container.clusterRoles.escalate"),
    ("roles/artifactregistry.reader", "artifactregistry.repositories.uploadArtifacts"),
    ("roles/artifactregistry.writer", "artifactregistry.repositories.deleteArtifacts"),
    (
        "roles/artifactregistry.repoAdmin",
        "artifactregistry.repositories.setIamPolicy",
    ),  # basic roles: only the technique-relevant permissions were checked
    ("roles/owner", "iam.serviceAccounts.getAccessToken"),
    ("roles/owner", "iam.serviceAccounts.signBlob"),
    ("roles/owner", "iam.serviceAccounts.signJwt"),
    ("roles/owner", "iam.serviceAccounts.implicitDelegation"),
    ("roles/owner", "iam.serviceAccounts.getOpenIdToken"),
    ("roles/owner", "resourcemanager.folders.setIamPolicy"),
    ("roles/owner", "resourcemanager.organizations.setIamPolicy"),
    ("roles/owner", "storage.objects.get"),
    ("roles/owner", "storage.objects.list"),
    ("roles/owner", "storage.objects.create"),
    ("roles/editor", "resourcemanager.projects.setIamPolicy"),
    ("roles/editor", "resourcemanager.folders.setIamPolicy"),
    ("roles/editor", "resourcemanager.organizations.setIamPolicy"),
    ("roles/editor", "iam.serviceAccounts.setIamPolicy"),
    ("roles/editor", "iam.roles.update"),
    ("roles/editor", "iam.serviceAccounts.getAccessToken"),
    ("roles/editor", "iam.serviceAccounts.signBlob"),
    ("roles/editor", "iam.serviceAccounts.signJwt"),
    ("roles/editor", "iam.serviceAccounts.implicitDelegation"),
    ("roles/editor", "cloudkms.cryptoKeyVersions.useToDecrypt"),
    ("roles/editor", "secretmanager.versions.access"),
    ("roles/editor", "storage.objects.get"),
    ("roles/editor", "storage.objects.list"),
    ("roles/editor", "storage.objects.create"),
]


@pytest.mark.parametrize(("role", "permission"), ALLOWS)
def test_role_allows(role, permission):
    assert predefined()[role].allows(permission)


@pytest.mark.parametrize(("role", "permission"), DENIES)
def test_role_denies(role, permission):
    assert not predefined()[role].allows(permission)


def test_checked_roles_are_recorded():
    import json

    from scanner.graph import gcp_roles

    raw = json.loads(gcp_roles._DATA.read_text(encoding="utf-8"))
    verified = raw["_verified"]
    for role, _ in ALLOWS + DENIES:
        assert role in verified["roles"], role
        assert role not in verified["unverified"], role
    assert not set(verified["roles"]) & set(verified["unverified"])
    assert set(verified["roles"]) | set(verified["unverified"]) <= set(raw["roles"])
