variable "name" {
  description = "Name of the MSK cluster (and prefix of its configuration, security group, log group, SCRAM secret)"
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,63}$", var.name))
    error_message = "name must start with a letter and hold letters, digits and '-' (at most 64)."
  }
}

variable "kafka_version" {
  description = "Kafka version as MSK names it; `.kraft` versions run without ZooKeeper (a cluster's metadata mode cannot change later)"
  type        = string
  default     = "3.9.x.kraft"
}

variable "vpc_id" {
  description = "ID of the VPC"
  type        = string
}

variable "subnet_ids" {
  description = "Three subnets in three availability zones, one broker set per zone (the network module's database_subnets or private_subnets)"
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) == 3
    error_message = "subnet_ids must name three subnets in three availability zones."
  }
}

variable "broker_count" {
  description = "Number of brokers, a multiple of the three zones (replication factor 3 with min.insync.replicas 2 survives one broker's loss)"
  type        = number
  default     = 3

  validation {
    condition     = var.broker_count >= 3 && var.broker_count % 3 == 0
    error_message = "broker_count must be a multiple of 3 (brokers are spread evenly over three zones)."
  }
}

variable "instance_type" {
  description = "Broker instance type"
  type        = string
  default     = "kafka.m7g.large"

  validation {
    condition     = startswith(var.instance_type, "kafka.")
    error_message = "instance_type must be an MSK broker type (kafka.*)."
  }
}

variable "volume_size_gib" {
  description = "EBS storage per broker in GiB. Size it for the retention of tally.events.accepted (45 days by default) x its bytes per day x 3 replicas / brokers"
  type        = number
  default     = 500

  validation {
    condition     = var.volume_size_gib >= 1 && var.volume_size_gib <= 16384
    error_message = "volume_size_gib must be 1 to 16384."
  }
}

variable "allowed_cidr_blocks" {
  description = "CIDRs allowed to reach the brokers' SASL/SCRAM listener (9096)"
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_cidr_blocks : can(cidrhost(c, 0)) && !endswith(c, "/0")])
    error_message = "allowed_cidr_blocks must be CIDR blocks, none of them /0."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to reach the brokers' SASL/SCRAM listener (9096)"
  type        = list(string)
  default     = []
}

variable "enable_iam_auth" {
  description = "Also accept IAM authentication (listener 9098, opened to the same sources). Tally's services use SCRAM"
  type        = bool
  default     = false
}

variable "scram_username" {
  description = "SCRAM user Tally's services connect as"
  type        = string
  default     = "tally"

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{1,64}$", var.scram_username))
    error_message = "scram_username must be 1-64 letters, digits, '_', '.' or '-'."
  }
}

variable "create_kms_key" {
  description = "Create a KMS key (rotation on) for data at rest and the SCRAM secret; false: use kms_key_arn (a customer-managed key: MSK refuses secrets under the default Secrets Manager key)"
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of an existing customer-managed KMS key, when create_kms_key is false"
  type        = string
  default     = null
}

variable "enhanced_monitoring" {
  description = "CloudWatch metrics level: DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION (consumer lag per partition)"
  type        = string
  default     = "PER_TOPIC_PER_PARTITION"

  validation {
    condition     = contains(["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"], var.enhanced_monitoring)
    error_message = "enhanced_monitoring must be DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION."
  }
}

variable "log_retention_in_days" {
  description = "Days the broker logs are kept in CloudWatch Logs"
  type        = number
  default     = 30
}

variable "secret_recovery_window_in_days" {
  description = "Days a deleted SCRAM secret can still be restored (0: deleted at once)"
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_in_days == 0 || (var.secret_recovery_window_in_days >= 7 && var.secret_recovery_window_in_days <= 30)
    error_message = "secret_recovery_window_in_days must be 0 or 7 to 30."
  }
}

variable "tags" {
  description = "Tags for every resource"
  type        = map(string)
  default     = {}
}
