variable "endpoint_types" {
  type = list(string)
}

resource "aws_iam_role" "fn" {
  name = "model-fn"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "model" {
  function_name = "model"
  role          = aws_iam_role.fn.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "fn.zip"
}

resource "aws_api_gateway_rest_api" "pass_no_model" {
  name = "pass-no-model"
}

resource "aws_api_gateway_rest_api" "fail_edge_no_policy" {
  name = "fail-edge-no-policy"
}

resource "aws_api_gateway_resource" "fail_edge_no_policy" {
  rest_api_id = aws_api_gateway_rest_api.fail_edge_no_policy.id
  parent_id   = aws_api_gateway_rest_api.fail_edge_no_policy.root_resource_id
  path_part   = "predict"
}

resource "aws_api_gateway_method" "fail_edge_no_policy" {
  rest_api_id   = aws_api_gateway_rest_api.fail_edge_no_policy.id
  resource_id   = aws_api_gateway_resource.fail_edge_no_policy.id
  http_method   = "POST"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "fail_edge_no_policy" {
  rest_api_id             = aws_api_gateway_rest_api.fail_edge_no_policy.id
  resource_id             = aws_api_gateway_resource.fail_edge_no_policy.id
  http_method             = aws_api_gateway_method.fail_edge_no_policy.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.model.invoke_arn
}

resource "aws_api_gateway_rest_api" "fail_regional_open_policy" {
  name = "fail-regional-open-policy"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_rest_api_policy" "fail_regional_open_policy" {
  rest_api_id = aws_api_gateway_rest_api.fail_regional_open_policy.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "execute-api:Invoke", Resource = "execute-api:/*" }]
  })
}

resource "aws_api_gateway_resource" "fail_regional_open_policy" {
  rest_api_id = aws_api_gateway_rest_api.fail_regional_open_policy.id
  parent_id   = aws_api_gateway_rest_api.fail_regional_open_policy.root_resource_id
  path_part   = "predict"
}

resource "aws_api_gateway_method" "fail_regional_open_policy" {
  rest_api_id   = aws_api_gateway_rest_api.fail_regional_open_policy.id
  resource_id   = aws_api_gateway_resource.fail_regional_open_policy.id
  http_method   = "POST"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "fail_regional_open_policy" {
  rest_api_id             = aws_api_gateway_rest_api.fail_regional_open_policy.id
  resource_id             = aws_api_gateway_resource.fail_regional_open_policy.id
  http_method             = aws_api_gateway_method.fail_regional_open_policy.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.model.invoke_arn
}

resource "aws_api_gateway_rest_api" "pass_private" {
  name = "pass-private"
  endpoint_configuration {
    types = ["PRIVATE"]
  }
}

resource "aws_api_gateway_resource" "pass_private" {
  rest_api_id = aws_api_gateway_rest_api.pass_private.id
  parent_id   = aws_api_gateway_rest_api.pass_private.root_resource_id
  path_part   = "predict"
}

resource "aws_api_gateway_method" "pass_private" {
  rest_api_id   = aws_api_gateway_rest_api.pass_private.id
  resource_id   = aws_api_gateway_resource.pass_private.id
  http_method   = "POST"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "pass_private" {
  rest_api_id             = aws_api_gateway_rest_api.pass_private.id
  resource_id             = aws_api_gateway_resource.pass_private.id
  http_method             = aws_api_gateway_method.pass_private.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.model.invoke_arn
}

resource "aws_api_gateway_rest_api" "pass_source_ip" {
  name = "pass-source-ip"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_rest_api_policy" "pass_source_ip" {
  rest_api_id = aws_api_gateway_rest_api.pass_source_ip.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "execute-api:Invoke", Resource = "execute-api:/*", Condition = { IpAddress = { "aws:SourceIp" = ["203.0.113.0/24"] } } }]
  })
}

resource "aws_api_gateway_resource" "pass_source_ip" {
  rest_api_id = aws_api_gateway_rest_api.pass_source_ip.id
  parent_id   = aws_api_gateway_rest_api.pass_source_ip.root_resource_id
  path_part   = "predict"
}

resource "aws_api_gateway_method" "pass_source_ip" {
  rest_api_id   = aws_api_gateway_rest_api.pass_source_ip.id
  resource_id   = aws_api_gateway_resource.pass_source_ip.id
  http_method   = "POST"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "pass_source_ip" {
  rest_api_id             = aws_api_gateway_rest_api.pass_source_ip.id
  resource_id             = aws_api_gateway_resource.pass_source_ip.id
  http_method             = aws_api_gateway_method.pass_source_ip.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.model.invoke_arn
}

resource "aws_api_gateway_rest_api" "unknown_types" {
  name = "unknown-types"
  endpoint_configuration {
    types = var.endpoint_types
  }
}

resource "aws_api_gateway_resource" "unknown_types" {
  rest_api_id = aws_api_gateway_rest_api.unknown_types.id
  parent_id   = aws_api_gateway_rest_api.unknown_types.root_resource_id
  path_part   = "predict"
}

resource "aws_api_gateway_method" "unknown_types" {
  rest_api_id   = aws_api_gateway_rest_api.unknown_types.id
  resource_id   = aws_api_gateway_resource.unknown_types.id
  http_method   = "POST"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_integration" "unknown_types" {
  rest_api_id             = aws_api_gateway_rest_api.unknown_types.id
  resource_id             = aws_api_gateway_resource.unknown_types.id
  http_method             = aws_api_gateway_method.unknown_types.http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = aws_lambda_function.model.invoke_arn
}
