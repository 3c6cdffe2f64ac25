output "bootstrap_brokers_sasl_scram" {
  description = "Bootstrap brokers for SASL/SCRAM over TLS (host:9096,...): Tally's kafka.bootstrapServers"
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_scram
}

output "bootstrap_brokers_sasl_iam" {
  description = "Bootstrap brokers for IAM over TLS (host:9098,...), when enable_iam_auth; empty otherwise"
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "cluster_arn" {
  description = "ARN of the MSK cluster"
  value       = aws_msk_cluster.this.arn
}

output "cluster_name" {
  description = "Name of the MSK cluster"
  value       = aws_msk_cluster.this.cluster_name
}

output "security_group_id" {
  description = "Security group of the brokers"
  value       = aws_security_group.this.id
}

output "scram_secret_arn" {
  description = "ARN of the Secrets Manager secret (AmazonMSK_..., JSON: username, password) associated with the cluster"
  value       = aws_secretsmanager_secret.scram.arn
}

output "scram_username" {
  description = "SCRAM user name"
  value       = var.scram_username
}

output "scram_password" {
  description = "SCRAM password (also in the secret above)"
  value       = random_password.scram.result
  sensitive   = true
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting data at rest and the SCRAM secret"
  value       = local.kms_key_arn
}

output "configuration_arn" {
  description = "ARN of the MSK configuration (server properties)"
  value       = aws_msk_configuration.this.arn
}
