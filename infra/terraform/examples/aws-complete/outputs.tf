output "configure_kubectl" {
  description = "Command that points kubectl at the cluster"
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${module.eks.cluster_name}"
}

output "cluster_name" {
  description = "Name of the EKS cluster"
  value       = module.eks.cluster_name
}

output "jdbc_url" {
  description = "JDBC URL of the database (TLS required)"
  value       = module.postgres.jdbc_url
}

output "database_secret_arn" {
  description = "Secrets Manager secret RDS keeps (and rotates) with the master user's credentials"
  value       = module.postgres.master_user_secret_arn
}

output "kafka_bootstrap_brokers" {
  description = "SASL/SCRAM bootstrap brokers (TLS, port 9096)"
  value       = module.kafka.bootstrap_brokers_sasl_scram
}

output "kafka_scram_secret_arn" {
  description = "Secrets Manager secret with the SCRAM credentials, associated with the MSK cluster"
  value       = module.kafka.scram_secret_arn
}

output "operator_token_secret_arn" {
  description = "Secrets Manager secret with the operator token (sign in to the console with it; then create admin users)"
  value       = module.secrets.operator_token_secret_arn
}

output "kafka_topics" {
  description = "The topic plan (partitions, replication factor, configs)"
  value       = module.tally_values.topics
}

output "kafka_topic_commands" {
  description = "The commands the topics Job runs (set KAFKA_BOOTSTRAP and KAFKA_CLIENT_CONFIG to run them yourself)"
  value       = module.tally_values.topic_commands
}

output "helm_values_yaml" {
  description = "The values the chart was installed with (no secrets: only the names of Secrets)"
  value       = module.tally_values.values_yaml
}

output "nat_public_ips" {
  description = "Addresses Tally's outbound traffic (webhooks, Stripe) comes from"
  value       = module.network.nat_public_ips
}

output "archive_url" {
  description = "Where invoicing keeps the event archive"
  value       = module.object_storage.archive_url
}

output "warehouse_url" {
  description = "Where the warehouse export is written (point the warehouse's loader here)"
  value       = module.object_storage.warehouse_url
}
