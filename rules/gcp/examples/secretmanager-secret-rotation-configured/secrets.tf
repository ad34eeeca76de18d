variable "rotation_period" {}

resource "google_pubsub_topic" "rotation" {
  name = "secret-rotation"
}

resource "google_secret_manager_secret" "pass_rotated" {
  secret_id = "hf-token"
  replication {
    auto {}
  }
  topics {
    name = google_pubsub_topic.rotation.id
  }
  rotation {
    rotation_period    = "7776000s"
    next_rotation_time = "2030-01-01T00:00:00Z"
  }
}

resource "google_secret_manager_secret" "fail_never_rotated" {
  secret_id = "openai-key"
  replication {
    auto {}
  }
}

resource "google_secret_manager_secret" "unknown_period_from_variable" {
  secret_id = "wandb-key"
  replication {
    auto {}
  }
  topics {
    name = google_pubsub_topic.rotation.id
  }
  rotation {
    rotation_period    = var.rotation_period
    next_rotation_time = "2030-01-01T00:00:00Z"
  }
}
