"""Secret detection: well-known formats, key-like names with random values, no false
positives on ordinary config, and the value never kept."""

from __future__ import annotations

import pytest

from scanner.secrets import classify, find_in_text, redact_string, scrub_mapping, scrub_text

# Fake tokens shaped like the real formats (assembled so this file itself does not hold them).
HF = "hf_" + "aB3dE5gH7jK9mN1pQ3rS5tU7vW9xY1zA3b"
AWS_ID = "AKIA" + "IOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
GH = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
ANTHROPIC = "sk-ant-api03-" + "Ab3De5Gh7Jk9Mn1Pq3Rs5Tu7Vw9Xy1Za3Bc5De7Fg9"
OPENAI = "sk-proj-" + "Ab3De5Gh7Jk9Mn1Pq3Rs5Tu7Vw9Xy1Za3Bc5De7Fg9Hi1Jk3Lm5"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    "name,value,kind",
    [
        ("HF_TOKEN", HF, "huggingface-token"),
        ("AWS_ACCESS_KEY_ID", AWS_ID, "aws-access-key-id"),
        ("GITHUB", GH, "github-token"),
        ("SLACK", SLACK, "slack-token"),
        ("ANTHROPIC_API_KEY", ANTHROPIC, "anthropic-api-key"),
        ("OPENAI_API_KEY", OPENAI, "openai-api-key"),
        ("KEY", PEM, "private-key"),
        ("DATABASE_URL", "postgresql://ml:Sup3rS3cret@db.internal:5432/features", "database-url-password"),
        ("API_TOKEN", "q8Zr2LmP0xYv7KtB3nWc", "generic-high-entropy"),
    ],
)
def test_detects_each_kind(name, value, kind):
    assert classify(name, value) == kind


@pytest.mark.parametrize(
    "name,value",
    [
        ("MODEL_NAME", "bert-base-uncased"),
        ("LOG_LEVEL", "INFO"),
        ("DB_PASSWORD", "${var.db_password}"),
        ("API_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token-AbCdEf"),
        ("TOKEN", "changeme"),
        ("DATABASE_URL", "postgresql://ml@db.internal:5432/features"),
        ("S3_URI", "s3://models/bert/model.tar.gz"),
        ("PASSWORD_FILE", "/var/run/secrets/db/password"),
    ],
)
def test_ordinary_config_is_not_a_secret(name, value):
    assert classify(name, value) is None


def test_scrub_mapping_keeps_no_value_and_records_where():
    env = {"HF_TOKEN": HF, "MODE": "prod", "DB": "mysql://u:hunter2pass@h/db"}
    out, dets = scrub_mapping(env, "environment", {"HF_TOKEN": 12})
    assert HF not in repr(out) and "hunter2pass" not in repr(out) and HF not in repr(dets)
    assert out["MODE"] == "prod"
    assert out["DB"] == "mysql://u:[REDACTED:database-url-password]@h/db"
    assert {(d.path, d.kind) for d in dets} == {
        ("environment.HF_TOKEN", "huggingface-token"),
        ("environment.DB", "database-url-password"),
    }
    assert next(d for d in dets if d.kind == "huggingface-token").line == 12


def test_scrub_text_gives_lines_and_masks_every_hit():
    script = f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={AWS_ID}\nexport AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
    out, dets = scrub_text(script, "on_start", start_line=20)
    assert AWS_ID not in out and AWS_SECRET not in out
    assert [(d.kind, d.line) for d in dets] == [("aws-access-key-id", 21), ("aws-secret-access-key", 22)]


def test_fingerprint_identifies_without_revealing():
    _, a = scrub_mapping({"T": HF}, "env")
    _, b = scrub_mapping({"U": HF}, "env")
    assert a[0].fingerprint == b[0].fingerprint
    assert HF[3:15] not in a[0].fingerprint


def test_redact_string_for_free_text():
    assert HF not in redact_string(f"token {HF} leaked")
    assert find_in_text("nothing here") == []
