################################################################################
# KMS key for Tally's secrets
################################################################################

resource "aws_kms_key" "this" {
  description             = "Tally secrets (${var.name})"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${replace(var.name, "/[^a-zA-Z0-9/_-]/", "-")}/secrets"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Operator token: bootstraps the first admin users (invoicing, admin-ui)
################################################################################

resource "random_password" "operator_token" {
  length = var.operator_token_length
  # letters and digits: sent as a bearer token and typed into the console's sign-in form
  special = false
}

resource "aws_secretsmanager_secret" "operator_token" {
  name                    = "${var.name}/operator-token"
  description             = "Tally's bootstrap operator token"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "operator_token" {
  secret_id     = aws_secretsmanager_secret.operator_token.id
  secret_string = random_password.operator_token.result
}
