variable "name" {
  description = "Prefix of the IAM role's name"
  type        = string
}

variable "archive_bucket" {
  description = "Name of the event archive's bucket (globally unique)"
  type        = string
}

variable "warehouse_bucket" {
  description = "Name of the warehouse export's bucket (globally unique)"
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key the buckets encrypt objects with (null: the account's aws/s3 key)"
  type        = string
  default     = null
}

variable "noncurrent_version_days" {
  description = "How long an overwritten or deleted object's previous version is kept (versioning guards against a mistaken delete; the archive's janitor deletes by its manifest)"
  type        = number
  default     = 7

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's OIDC provider (IAM roles for service accounts)"
  type        = string
}

variable "oidc_issuer_url" {
  description = "URL of the EKS cluster's OIDC issuer"
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the Tally release"
  type        = string
}

variable "service_account" {
  description = "Name of the chart's service account (the release's full name unless serviceAccount.name is set)"
  type        = string
}

variable "force_destroy" {
  description = "Whether terraform destroy may delete buckets that still hold objects (keep false in production: the archive is the only copy of events past Kafka's retention)"
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource"
  type        = map(string)
  default     = {}
}
