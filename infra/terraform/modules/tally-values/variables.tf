################################################################################
# Shape of the installation
################################################################################

variable "profile" {
  description = "Replica profile: `small` (one pod per service, no autoscaling, no PodDisruptionBudget: development and staging) or `ha` (the chart's ci/ha-values.yaml: several pods per service spread over zones, autoscaling, PodDisruptionBudgets)"
  type        = string
  default     = "ha"

  validation {
    condition     = contains(["small", "ha"], var.profile)
    error_message = "profile must be \"small\" or \"ha\"."
  }
}

################################################################################
# Images
################################################################################

variable "image_registry" {
  description = "Registry the service images are pushed to (host[:port], no scheme), e.g. `123456789012.dkr.ecr.eu-central-1.amazonaws.com`"
  type        = string
  default     = "ghcr.io"

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?$", var.image_registry))
    error_message = "image_registry must be a registry host (and optional port) without a scheme or path, e.g. ghcr.io or 123456789012.dkr.ecr.eu-central-1.amazonaws.com."
  }
}

variable "image_repository_prefix" {
  description = "Repository prefix: the image of service S is `<registry>/<prefix>S[-native]:<tag>`"
  type        = string
  default     = "tally-billing/tally-"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]*$", var.image_repository_prefix))
    error_message = "image_repository_prefix must be lower-case letters, digits, '.', '_', '-' and '/'."
  }
}

variable "image_tag" {
  description = "Image tag to run (a released version or a commit id). Required: a Terraform-managed install pins what it runs"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a non-empty Docker tag (letters, digits, '_', '.', '-'; at most 128 characters)."
  }

  validation {
    condition     = var.image_tag != "latest"
    error_message = "image_tag must not be \"latest\": pin a version so a plan says what runs."
  }
}

variable "image_flavor" {
  description = "`jvm` (default) or `native` (the -native images built with the Mandrel builder)"
  type        = string
  default     = "jvm"

  validation {
    condition     = contains(["jvm", "native"], var.image_flavor)
    error_message = "image_flavor must be \"jvm\" or \"native\"."
  }
}

variable "image_pull_secrets" {
  description = "Names of existing docker-registry Secrets for a private registry (none for ECR with node IAM)"
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.image_pull_secrets : can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", s))])
    error_message = "image_pull_secrets must be Kubernetes Secret names (RFC 1123 subdomains)."
  }
}

################################################################################
# PostgreSQL
################################################################################

variable "postgres_jdbc_url" {
  description = "JDBC URL of the database, e.g. the postgres module's `jdbc_url` (`jdbc:postgresql://host:5432/tally?sslmode=require`). Query parameters are dropped: the chart adds each service's own, and TLS comes from `postgres_ssl_mode`"
  type        = string

  validation {
    condition     = can(regex("^jdbc:postgresql://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z_][A-Za-z0-9_$-]*(\\?.*)?$", var.postgres_jdbc_url))
    error_message = "postgres_jdbc_url must be a PostgreSQL JDBC URL: jdbc:postgresql://host[:port]/database[?params]."
  }
}

variable "postgres_ssl_mode" {
  description = "The JDBC driver's sslmode: `require` (encrypted; RDS forces TLS), or `verify-ca`/`verify-full` when the images carry the RDS CA bundle"
  type        = string
  default     = "require"

  validation {
    condition     = contains(["require", "verify-ca", "verify-full"], var.postgres_ssl_mode)
    error_message = "postgres_ssl_mode must be require, verify-ca or verify-full: the connection to a managed database is always encrypted."
  }
}

variable "postgres_secret_name" {
  description = "Name of the Kubernetes Secret with the database user (key `username`) and password (key `password`)"
  type        = string
  default     = "tally-db"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.postgres_secret_name)) && length(var.postgres_secret_name) <= 253
    error_message = "postgres_secret_name must be a Kubernetes Secret name (lower-case letters, digits and '-')."
  }
}

variable "postgres_cidrs" {
  description = "CIDRs the database lives in (the database subnets): the NetworkPolicy lets the services reach them on the database port only"
  type        = list(string)

  validation {
    condition     = length(var.postgres_cidrs) > 0 && alltrue([for c in var.postgres_cidrs : can(cidrhost(c, 0))])
    error_message = "postgres_cidrs must be a non-empty list of CIDR blocks."
  }

  validation {
    condition     = !contains(var.postgres_cidrs, "0.0.0.0/0")
    error_message = "postgres_cidrs must not contain 0.0.0.0/0: name the database subnets."
  }
}

################################################################################
# Kafka
################################################################################

variable "kafka_bootstrap_brokers" {
  description = "Bootstrap brokers for SASL/SCRAM over TLS, e.g. the kafka module's `bootstrap_brokers_sasl_scram` (`b-1.x.kafka.eu-central-1.amazonaws.com:9096,...`)"
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9.-]+:[0-9]{1,5}(,[A-Za-z0-9.-]+:[0-9]{1,5})*$", var.kafka_bootstrap_brokers))
    error_message = "kafka_bootstrap_brokers must be host:port[,host:port...] without spaces or a scheme."
  }
}

variable "kafka_secret_name" {
  description = "Name of the Kubernetes Secret with the SCRAM user (key `username`) and password (key `password`)"
  type        = string
  default     = "tally-kafka"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.kafka_secret_name)) && length(var.kafka_secret_name) <= 253
    error_message = "kafka_secret_name must be a Kubernetes Secret name (lower-case letters, digits and '-')."
  }
}

variable "kafka_cidrs" {
  description = "CIDRs the brokers live in (their subnets): the NetworkPolicy lets the services reach them on the bootstrap ports only"
  type        = list(string)

  validation {
    condition     = length(var.kafka_cidrs) > 0 && alltrue([for c in var.kafka_cidrs : can(cidrhost(c, 0))])
    error_message = "kafka_cidrs must be a non-empty list of CIDR blocks."
  }

  validation {
    condition     = !contains(var.kafka_cidrs, "0.0.0.0/0")
    error_message = "kafka_cidrs must not contain 0.0.0.0/0: name the brokers' subnets."
  }
}

################################################################################
# Secrets referenced by name
################################################################################

variable "operator_token_secret_name" {
  description = "Name of the Kubernetes Secret with the bootstrap operator token (key `token`)"
  type        = string
  default     = "tally-operator"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.operator_token_secret_name)) && length(var.operator_token_secret_name) <= 253
    error_message = "operator_token_secret_name must be a Kubernetes Secret name (lower-case letters, digits and '-')."
  }
}

################################################################################
# Ingress
################################################################################

variable "ingress" {
  description = "The Ingress for ingest (senders) and the console. Off by default; when on, both hosts are required and TLS is on unless `tls_enabled = false`"
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

  validation {
    condition = !var.ingress.enabled || alltrue([
      for h in [var.ingress.ingest_host, var.ingress.admin_ui_host] :
      h != null && can(regex("^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z]{2,}$", coalesce(h, "-")))
    ])
    error_message = "With ingress.enabled, ingress.ingest_host and ingress.admin_ui_host must both be DNS names."
  }

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.ingress.tls_secret_name))
    error_message = "ingress.tls_secret_name must be a Kubernetes Secret name."
  }
}

################################################################################
# Kafka topic retention
################################################################################

variable "correction_window_days" {
  description = "How long accepted events can be retracted or amended (ingest's outbox retention, `services.ingest.correctionWindow`); the chart's default is 7"
  type        = number
  default     = 7

  validation {
    condition     = var.correction_window_days >= 1 && floor(var.correction_window_days) == var.correction_window_days
    error_message = "correction_window_days must be a whole number of days, at least 1."
  }
}

variable "reconciliation_window_days" {
  description = "How far back reconciliation (and the per-line event listing) must be able to recount by replaying tally.events.accepted. 35: the dedup window, so a closed month can be recounted for a few days after it closes"
  type        = number
  default     = 35

  validation {
    condition     = var.reconciliation_window_days >= 1 && floor(var.reconciliation_window_days) == var.reconciliation_window_days
    error_message = "reconciliation_window_days must be a whole number of days, at least 1."
  }
}

variable "retention_grace_days" {
  description = "Days added to correction + reconciliation windows for the computed retention of tally.events.accepted (the closing grace and slack for a stalled consumer)"
  type        = number
  default     = 3

  validation {
    condition     = var.retention_grace_days >= 0 && floor(var.retention_grace_days) == var.retention_grace_days
    error_message = "retention_grace_days must be a whole number of days, 0 or more."
  }
}

variable "events_accepted_retention_days" {
  description = "Retention of tally.events.accepted in days; null (default): correction_window_days + reconciliation_window_days + retention_grace_days. An explicit value may not be shorter than the two windows"
  type        = number
  default     = null

  validation {
    condition = (var.events_accepted_retention_days == null ? true :
      floor(var.events_accepted_retention_days) == var.events_accepted_retention_days &&
    var.events_accepted_retention_days >= var.correction_window_days + var.reconciliation_window_days)
    error_message = "events_accepted_retention_days must be a whole number of days covering correction_window_days + reconciliation_window_days: reconciliation replays the topic, and corrections must still find their events."
  }
}

variable "retention_days" {
  description = "Retention of the other non-compacted topics (raw and dead-lettered events, rated usage, alerts, invoices): read within minutes, kept for replays after an incident"
  type        = number
  default     = 7

  validation {
    condition     = var.retention_days >= 1 && floor(var.retention_days) == var.retention_days
    error_message = "retention_days must be a whole number of days, at least 1."
  }
}

variable "archive_url" {
  description = "Where the event archive is kept, s3://bucket/prefix (the object-storage module's archive_url); empty: no archive unless the chart is given a volume"
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?)?$", var.archive_url))
    error_message = "archive_url must be s3://bucket[/prefix] or empty."
  }
}

variable "warehouse_url" {
  description = "Where the warehouse export is written, s3://bucket/prefix (the object-storage module's warehouse_url); empty: no export unless the chart is given a volume"
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?)?$", var.warehouse_url))
    error_message = "warehouse_url must be s3://bucket[/prefix] or empty."
  }
}

variable "object_storage_region" {
  description = "AWS region of the archive's and the warehouse's buckets"
  type        = string
  default     = "us-east-1"
}

variable "service_account_annotations" {
  description = "Annotations of the chart's service account, e.g. eks.amazonaws.com/role-arn for the object-storage module's role (IAM roles for service accounts)"
  type        = map(string)
  default     = {}
}
