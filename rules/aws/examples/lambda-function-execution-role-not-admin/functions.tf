variable "role_arn" {
  type = string
}

resource "aws_iam_role" "admin" {
  name               = "fn-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.admin.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}

resource "aws_iam_role" "custom_admin" {
  name               = "fn-custom-admin"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_policy" "everything" {
  name = "everything"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "custom_admin" {
  role       = aws_iam_role.custom_admin.name
  policy_arn = aws_iam_policy.everything.arn
}

resource "aws_iam_role" "scoped" {
  name               = "fn-scoped"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "scoped" {
  role       = aws_iam_role.scoped.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_lambda_function" "fail_admin_role" {
  function_name = "fail-admin-role"
  role          = aws_iam_role.admin.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "fail_custom_admin_policy" {
  function_name = "fail-custom-admin-policy"
  role          = aws_iam_role.custom_admin.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "pass_scoped_role" {
  function_name = "pass-scoped-role"
  role          = aws_iam_role.scoped.arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "pass_role_outside_scan" {
  function_name = "pass-role-outside-scan"
  role          = "arn:aws:iam::123456789012:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}

resource "aws_lambda_function" "unknown_role_from_variable" {
  function_name = "unknown-role-from-variable"
  role          = var.role_arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
}
