variable "rotation_days" {
  type = number
}

resource "aws_secretsmanager_secret" "pass_rotated_monthly" {
  name = "hf-token-rotated-monthly"
}

resource "aws_secretsmanager_secret_rotation" "pass_rotated_monthly" {
  secret_id           = aws_secretsmanager_secret.pass_rotated_monthly.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-hf-token"
  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "pass_rate_schedule" {
  name = "db-password-rate-schedule"
}

resource "aws_secretsmanager_secret_rotation" "pass_rate_schedule" {
  secret_id           = aws_secretsmanager_secret.pass_rate_schedule.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-db"
  rotation_rules {
    schedule_expression = "rate(10 days)"
  }
}

resource "aws_secretsmanager_secret" "fail_never_rotated" {
  name = "openai-key-never-rotated"
}

resource "aws_secretsmanager_secret" "fail_rotated_twice_a_year" {
  name = "api-key-rotated-twice-a-year"
}

resource "aws_secretsmanager_secret_rotation" "fail_rotated_twice_a_year" {
  secret_id           = aws_secretsmanager_secret.fail_rotated_twice_a_year.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-api-key"
  rotation_rules {
    automatically_after_days = 180
  }
}

# The interval comes from a variable with no default: unknown until a plan sets it.
resource "aws_secretsmanager_secret" "unknown_rotation_days" {
  name = "interval-from-variable"
}

resource "aws_secretsmanager_secret_rotation" "unknown_rotation_days" {
  secret_id           = aws_secretsmanager_secret.unknown_rotation_days.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
  rotation_rules {
    automatically_after_days = var.rotation_days
  }
}
