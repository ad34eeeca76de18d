resource "aws_iam_role" "admin" {
  name = "bedrock-agent-admin"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "bedrock.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "wildcard" {
  name = "bedrock-agent-wildcard"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "bedrock.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "wildcard" {
  name = "everything"
  role = aws_iam_role.wildcard.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role" "scoped" {
  name = "bedrock-agent-scoped"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "bedrock.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "scoped" {
  name = "invoke-model"
  role = aws_iam_role.scoped.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["bedrock:InvokeModel"]
      Resource = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
    }]
  })
}

resource "aws_bedrockagent_agent" "fail_admin_role" {
  agent_name              = "fail-admin-role"
  agent_resource_role_arn = aws_iam_role.admin.arn
  foundation_model        = "anthropic.claude-3-haiku-20240307-v1:0"
}

resource "aws_bedrockagent_agent" "fail_wildcard_role" {
  agent_name              = "fail-wildcard-role"
  agent_resource_role_arn = aws_iam_role.wildcard.arn
  foundation_model        = "anthropic.claude-3-haiku-20240307-v1:0"
}

resource "aws_bedrockagent_agent" "pass_scoped_role" {
  agent_name              = "pass-scoped-role"
  agent_resource_role_arn = aws_iam_role.scoped.arn
  foundation_model        = "anthropic.claude-3-haiku-20240307-v1:0"
}

resource "aws_bedrockagent_agent" "pass_role_outside_scan" {
  agent_name              = "pass-role-outside-scan"
  agent_resource_role_arn = "arn:aws:iam::123456789012:role/bedrock-agent"
  foundation_model        = "anthropic.claude-3-haiku-20240307-v1:0"
}
