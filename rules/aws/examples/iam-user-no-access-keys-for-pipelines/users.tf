resource "aws_iam_user" "fail_ci_deployer" {
  name = "ci-deployer"
}

resource "aws_iam_access_key" "ci_deployer" {
  user = aws_iam_user.fail_ci_deployer.name
}

resource "aws_iam_user" "pass_console_user" {
  name = "data-scientist"
}
