output "cluster_name" {
  description = "Name of the EKS cluster"
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "Endpoint of the Kubernetes API"
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA certificate of the Kubernetes API"
  value       = module.eks.cluster_certificate_authority_data
}

output "cluster_version" {
  description = "Kubernetes version of the control plane"
  value       = module.eks.cluster_version
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's OIDC provider (for IAM roles for service accounts)"
  value       = module.eks.oidc_provider_arn
}

output "cluster_oidc_issuer_url" {
  description = "URL of the cluster's OIDC issuer"
  value       = module.eks.cluster_oidc_issuer_url
}

output "node_security_group_id" {
  description = "Security group of the nodes (pods use it with the VPC CNI): the source the database and brokers admit"
  value       = module.eks.node_security_group_id
}

output "cluster_security_group_id" {
  description = "Security group of the control plane"
  value       = module.eks.cluster_security_group_id
}

output "kms_key_arn" {
  description = "ARN of the KMS key that encrypts Kubernetes Secrets"
  value       = module.eks.kms_key_arn
}
