resource "google_secret_manager_secret" "fail_google_managed" {
  secret_id = "hf-token"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret" "pass_auto_cmek" {
  secret_id = "openai-key"
  replication {
    auto {
      customer_managed_encryption {
        kms_key_name = "projects/ml-prod/locations/global/keyRings/secrets/cryptoKeys/sm"
      }
    }
  }
}

resource "google_secret_manager_secret" "pass_replicas_cmek" {
  secret_id = "db-password"
  replication {
    user_managed {
      replicas {
        location = "us-central1"
        customer_managed_encryption {
          kms_key_name = "projects/ml-prod/locations/us-central1/keyRings/secrets/cryptoKeys/sm"
        }
      }
    }
  }
}

# One replica under a Google-managed key is enough to leave the secret without key control.
resource "google_secret_manager_secret" "fail_one_replica_google_managed" {
  secret_id = "wandb-key"
  replication {
    user_managed {
      replicas {
        location = "us-central1"
        customer_managed_encryption {
          kms_key_name = "projects/ml-prod/locations/us-central1/keyRings/secrets/cryptoKeys/sm"
        }
      }
      replicas {
        location = "europe-west4"
      }
    }
  }
}
