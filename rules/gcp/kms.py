"""Cloud KMS: the keys that CMEK on Vertex AI, Cloud Storage and notebooks rests on."""

from __future__ import annotations

from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

CRYPTO_KEY = "gcp.kms.crypto_key"
MAX_DAYS = 90


@rule(
    id="kms-crypto-key-rotation-90-days",
    title="Cloud KMS symmetric keys rotate automatically at least every 90 days",
    severity="medium",
    category="encryption",
    applies_to=[CRYPTO_KEY],
    description="A key with no rotation period, or a long one, encrypts ever more data under one key "
    "version, so a leaked or broken version exposes all of it. Automatic rotation applies to symmetric "
    "(ENCRYPT_DECRYPT) keys; other purposes are not checked.",
    risk="A compromised key version decrypts every dataset and model encrypted since the key was created.",
    remediation={
        "terraform": 'rotation_period = "7776000s" # 90 days',
        "cli": "gcloud kms keys update KEY --keyring=RING --location=LOCATION"
        " --rotation-period=90d --next-rotation-time=$(date -u -d '+90 days' +%Y-%m-%dT%H:%M:%SZ)",
    },
    references=[
        "https://cloud.google.com/kms/docs/key-rotation",
        "https://cloud.google.com/kms/docs/rotate-key#automatic",
    ],
    aliases=["CKV_GCP_43"],
)
def crypto_key_rotation(k: Resource):
    if k.a.get("purpose", "ENCRYPT_DECRYPT") != "ENCRYPT_DECRYPT":
        return ok()
    seconds = k.a.get("rotation_period_seconds")
    if seconds is None:
        return fail("no rotation period is set", at="rotation_period")
    if seconds > MAX_DAYS * 86400:
        return fail(f"rotation period is {seconds / 86400:g} days (over {MAX_DAYS})", at="rotation_period")
    return ok()
