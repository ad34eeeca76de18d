"""KMS keys that protect model artefacts, notebooks, endpoints and logs."""

from __future__ import annotations

from rules.sdk import fail, ok, rule
from scanner.model.resource import Resource

KEY = "aws.kms.key"


@rule(
    id="kms-key-rotation-enabled",
    title="KMS symmetric keys have automatic rotation enabled",
    severity="medium",
    category="encryption",
    applies_to=[KEY],
    description="Automatic rotation replaces a customer-managed key's material every year (or on the "
    "period you set), which limits how much data one piece of key material protects. Only symmetric "
    "encryption keys can rotate automatically; other key specs pass.",
    risk="Long-lived key material protecting training data and model artefacts indefinitely.",
    remediation={
        "terraform": "enable_key_rotation = true",
        "cloudformation": "EnableKeyRotation: true",
        "cli": "aws kms enable-key-rotation --key-id KEY_ID",
    },
    references=["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
    aliases=["CKV_AWS_7", "kms_cmk_rotation_enabled"],
)
def rotation_enabled(key: Resource):
    if key.a.get("key_spec", "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT":
        return ok()  # asymmetric and HMAC keys cannot rotate automatically
    if not key.a.get("enable_key_rotation", False):
        return fail("automatic key rotation is disabled", at="enable_key_rotation")
    return ok()
