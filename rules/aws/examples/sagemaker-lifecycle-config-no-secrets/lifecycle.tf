resource "aws_sagemaker_notebook_instance_lifecycle_configuration" "fail_key_in_script" {
  name     = "key-in-script"
  on_start = base64encode("#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\npip install -r /home/ec2-user/req.txt\n")
}

resource "aws_sagemaker_notebook_instance_lifecycle_configuration" "pass_reads_secret_manager" {
  name     = "reads-secrets-manager"
  on_start = base64encode("#!/bin/bash\nTOKEN=$(aws secretsmanager get-secret-value --secret-id hf --query SecretString --output text)\n")
}
