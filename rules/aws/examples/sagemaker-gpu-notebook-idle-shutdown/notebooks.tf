resource "aws_sagemaker_notebook_instance_lifecycle_configuration" "autostop" {
  name     = "autostop-idle"
  on_start = base64encode(<<-EOT
    #!/bin/bash
    set -e
    IDLE_TIME=3600
    wget -q https://raw.githubusercontent.com/aws-samples/amazon-sagemaker-notebook-instance-lifecycle-config-samples/master/scripts/auto-stop-idle/autostop.py
    (crontab -l 2>/dev/null; echo "*/5 * * * * /usr/bin/python3 $PWD/autostop.py --time $IDLE_TIME --ignore-connections") | crontab -
  EOT
  )
}

resource "aws_sagemaker_notebook_instance_lifecycle_configuration" "pip_only" {
  name     = "pip-install"
  on_start = base64encode("#!/bin/bash\npip install -r /home/ec2-user/SageMaker/requirements.txt\n")
}

resource "aws_sagemaker_notebook_instance" "pass_gpu_with_autostop" {
  name                  = "pass-gpu-with-autostop"
  role_arn              = "arn:aws:iam::123456789012:role/sagemaker-notebook"
  instance_type         = "ml.g5.xlarge"
  lifecycle_config_name = aws_sagemaker_notebook_instance_lifecycle_configuration.autostop.name
}

resource "aws_sagemaker_notebook_instance" "fail_gpu_no_lifecycle" {
  name          = "fail-gpu-no-lifecycle"
  role_arn      = "arn:aws:iam::123456789012:role/sagemaker-notebook"
  instance_type = "ml.p3.2xlarge"
}

resource "aws_sagemaker_notebook_instance" "fail_gpu_lifecycle_without_autostop" {
  name                  = "fail-gpu-lifecycle-without-autostop"
  role_arn              = "arn:aws:iam::123456789012:role/sagemaker-notebook"
  instance_type         = "ml.g4dn.xlarge"
  lifecycle_config_name = aws_sagemaker_notebook_instance_lifecycle_configuration.pip_only.name
}

resource "aws_sagemaker_notebook_instance" "pass_cpu_no_lifecycle" {
  name          = "pass-cpu-no-lifecycle"
  role_arn      = "arn:aws:iam::123456789012:role/sagemaker-notebook"
  instance_type = "ml.t3.medium"
}

# A lifecycle configuration managed elsewhere: what it installs cannot be seen here.
resource "aws_sagemaker_notebook_instance" "unknown_gpu_external_lifecycle" {
  name                  = "unknown-gpu-external-lifecycle"
  role_arn              = "arn:aws:iam::123456789012:role/sagemaker-notebook"
  instance_type         = "ml.g5.2xlarge"
  lifecycle_config_name = "platform-team-lifecycle"
}
