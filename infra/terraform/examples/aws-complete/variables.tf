################################################################################
# Where and what
################################################################################

variable "region" {
  description = "AWS region"
  type        = string
}

variable "name" {
  description = "Name of the installation: the VPC, cluster, database, Kafka cluster and secrets are named after it"
  type        = string
  default     = "tally"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name))
    error_message = "name must be 3-24 lower-case letters, digits and '-', starting with a letter."
  }
}

variable "tags" {
  description = "Tags for every AWS resource"
  type        = map(string)
  default     = {}
}

variable "deletion_protection" {
  description = "Protect the EKS cluster and the database from deletion (turn off, apply, then destroy)"
  type        = bool
  default     = true
}

################################################################################
# Network and cluster
################################################################################

variable "vpc_cidr" {
  description = "CIDR of the VPC (/16 to /18)"
  type        = string
  default     = "10.42.0.0/16"
}

variable "nat_gateway_mode" {
  description = "`one_per_az` or `single` (cheaper, one zone's outage cuts every zone's egress)"
  type        = string
  default     = "one_per_az"
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version (one in standard support)"
  type        = string
  default     = "1.34"
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "Networks allowed to reach the Kubernetes API from the internet (e.g. your office or CI egress, /32s). Empty: private endpoint only; then run Terraform from inside the VPC"
  type        = list(string)
  default     = []
}

variable "admin_principal_arns" {
  description = "IAM roles/users given cluster-admin besides the identity that applies"
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "Instance types of the EKS managed node group"
  type        = list(string)
  default     = ["m6i.xlarge"]
}

################################################################################
# Data services
################################################################################

variable "db_instance_class" {
  description = "RDS instance class"
  type        = string
  default     = "db.m7g.large"
}

variable "db_backup_retention_days" {
  description = "Days of automated backups and point-in-time restore"
  type        = number
  default     = 14
}

variable "kafka_instance_type" {
  description = "MSK broker instance type"
  type        = string
  default     = "kafka.m7g.large"
}

variable "kafka_volume_size_gib" {
  description = "EBS storage per broker (GiB)"
  type        = number
  default     = 500
}

################################################################################
# Tally
################################################################################

variable "namespace" {
  description = "Kubernetes namespace Tally is installed into (created here, Pod Security Standard `restricted` enforced)"
  type        = string
  default     = "tally"
}

variable "profile" {
  description = "`ha` (several pods per service, autoscaling, PodDisruptionBudgets) or `small`"
  type        = string
  default     = "ha"
}

variable "image_registry" {
  description = "Registry of Tally's images (e.g. your ECR registry host)"
  type        = string
  default     = "ghcr.io"
}

variable "image_repository_prefix" {
  description = "Repository prefix of Tally's images"
  type        = string
  default     = "tally-billing/tally-"
}

variable "image_tag" {
  description = "Tally version to run (an image tag; not `latest`)"
  type        = string
}

variable "image_flavor" {
  description = "`jvm` or `native`"
  type        = string
  default     = "jvm"
}

variable "ingress" {
  description = "The chart's Ingress (needs an ingress controller in the cluster, which this example does not install): see the tally-values module's `ingress` variable"
  type = object({
    enabled         = optional(bool, false)
    class_name      = optional(string, "")
    annotations     = optional(map(string), {})
    ingest_host     = optional(string)
    admin_ui_host   = optional(string)
    tls_enabled     = optional(bool, true)
    tls_secret_name = optional(string, "tally-tls")
  })
  default = {}
}

variable "correction_window_days" {
  description = "Days accepted events stay correctable (ingest's outbox retention)"
  type        = number
  default     = 7
}

variable "reconciliation_window_days" {
  description = "Days back reconciliation must be able to recount from tally.events.accepted"
  type        = number
  default     = 35
}

variable "create_topics" {
  description = "Create Tally's topics (and converge their configs) with a Kubernetes Job before installing the chart; false: create them yourself from the `kafka_topic_commands` output"
  type        = bool
  default     = true
}

variable "kafka_tools_image" {
  description = "Image with Kafka's command-line tools under /opt/kafka/bin, running as UID 1000 (the Apache Kafka image)"
  type        = string
  default     = "apache/kafka:3.9.1"
}

variable "archive_bucket" {
  description = "Name of the event archive's S3 bucket (globally unique)"
  type        = string
}

variable "warehouse_bucket" {
  description = "Name of the warehouse export's S3 bucket (globally unique)"
  type        = string
}
