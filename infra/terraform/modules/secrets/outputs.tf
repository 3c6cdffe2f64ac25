output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the secrets (rotation on)"
  value       = aws_kms_key.this.arn
}

output "kms_key_alias" {
  description = "Alias of the KMS key"
  value       = aws_kms_alias.this.name
}

output "operator_token_secret_arn" {
  description = "ARN of the secret holding the operator token (a plain string)"
  value       = aws_secretsmanager_secret.operator_token.arn
}

output "operator_token" {
  description = "The operator token, for the Kubernetes Secret the chart references"
  value       = random_password.operator_token.result
  sensitive   = true
}
