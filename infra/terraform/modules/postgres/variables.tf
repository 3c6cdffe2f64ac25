variable "identifier" {
  description = "Identifier of the DB instance (and prefix of its parameter group, subnet group, security group, final snapshot)"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,52}$", var.identifier)) && !endswith(var.identifier, "-") && !strcontains(var.identifier, "--")
    error_message = "identifier must start with a letter, hold lower-case letters, digits and single hyphens, not end with a hyphen, at most 53 characters."
  }
}

variable "vpc_id" {
  description = "ID of the VPC"
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the DB subnet group, in at least two availability zones (the network module's database_subnets)"
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must name at least two subnets (Multi-AZ needs two availability zones)."
  }
}

variable "allowed_cidr_blocks" {
  description = "CIDRs allowed to connect on the database port (e.g. the private subnets the pods run in)"
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_cidr_blocks : can(cidrhost(c, 0)) && !endswith(c, "/0")])
    error_message = "allowed_cidr_blocks must be CIDR blocks, none of them /0."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups allowed to connect on the database port (e.g. the EKS nodes' security group)"
  type        = list(string)
  default     = []
}

variable "engine_version" {
  description = "PostgreSQL version: `16` (RDS picks the newest 16.x and upgrades minors in the maintenance window) or a pinned `16.x`"
  type        = string
  default     = "16"

  validation {
    condition     = can(regex("^16(\\.[0-9]+)?$", var.engine_version))
    error_message = "engine_version must be 16 or 16.<minor>: the parameter group family is postgres16."
  }
}

variable "instance_class" {
  description = "DB instance class"
  type        = string
  default     = "db.m7g.large"

  validation {
    condition     = startswith(var.instance_class, "db.")
    error_message = "instance_class must be an RDS instance class (db.*)."
  }
}

variable "allocated_storage" {
  description = "Initial storage in GiB (gp3)"
  type        = number
  default     = 100

  validation {
    condition     = var.allocated_storage >= 20
    error_message = "allocated_storage must be at least 20 GiB."
  }
}

variable "max_allocated_storage" {
  description = "Storage autoscaling ceiling in GiB (0: no autoscaling)"
  type        = number
  default     = 1000

  validation {
    condition     = var.max_allocated_storage == 0 || var.max_allocated_storage >= var.allocated_storage
    error_message = "max_allocated_storage must be 0 or at least allocated_storage."
  }
}

variable "db_name" {
  description = "Name of the database created (each Tally service migrates its own schema in it)"
  type        = string
  default     = "tally"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must start with a letter and hold lower-case letters, digits and '_' (at most 63)."
  }
}

variable "master_username" {
  description = "Master user name. Its password is generated, stored and rotated by RDS in Secrets Manager"
  type        = string
  default     = "tally"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["postgres", "rdsadmin", "admin"], var.master_username)
    error_message = "master_username must start with a letter, hold lower-case letters, digits and '_', and not be a reserved name (postgres, rdsadmin, admin)."
  }
}

variable "port" {
  description = "Port the database listens on"
  type        = number
  default     = 5432
}

variable "multi_az" {
  description = "A synchronous standby in another availability zone, failed over to automatically"
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days automated backups (and so point-in-time restore) reach back: 1 to 35"
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_period >= 1 && var.backup_retention_period <= 35
    error_message = "backup_retention_period must be 1 to 35 days (0 would turn off backups and point-in-time restore)."
  }
}

variable "backup_window" {
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi), outside maintenance_window"
  type        = string
  default     = "02:00-03:00"
}

variable "maintenance_window" {
  description = "Weekly UTC window for maintenance (ddd:hh24:mi-ddd:hh24:mi)"
  type        = string
  default     = "sun:04:00-sun:05:00"
}

variable "deletion_protection" {
  description = "Refuse to delete the instance until this is turned off"
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (never in production)"
  type        = bool
  default     = false
}

variable "apply_immediately" {
  description = "Apply changes now instead of in the maintenance window"
  type        = bool
  default     = false
}

variable "create_kms_key" {
  description = "Create a KMS key (rotation on) for storage, Performance Insights and the master user secret; false: use kms_key_arn"
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "ARN of an existing KMS key, when create_kms_key is false"
  type        = string
  default     = null
}

variable "performance_insights_retention_period" {
  description = "Days Performance Insights keeps its data (7 is free; longer: a multiple of 31, up to 731)"
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_period == 7 || var.performance_insights_retention_period == 731 || (var.performance_insights_retention_period % 31 == 0 && var.performance_insights_retention_period <= 713)
    error_message = "performance_insights_retention_period must be 7, a multiple of 31 up to 713, or 731."
  }
}

variable "monitoring_interval" {
  description = "Seconds between Enhanced Monitoring samples (0: off)"
  type        = number
  default     = 60

  validation {
    condition     = contains([0, 1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be 0, 1, 5, 10, 15, 30 or 60."
  }
}

variable "ca_cert_identifier" {
  description = "Certificate authority of the server certificate"
  type        = string
  default     = "rds-ca-rsa2048-g1"
}

variable "parameters" {
  description = "Additional parameters of the parameter group (name => value); rds.force_ssl = 1 is always set"
  type        = map(string)
  default = {
    # statements slower than this (ms) are logged
    log_min_duration_statement = "1000"
  }

  validation {
    condition     = !contains(keys(var.parameters), "rds.force_ssl")
    error_message = "rds.force_ssl is always 1 here; it cannot be overridden."
  }
}

variable "tags" {
  description = "Tags for every resource"
  type        = map(string)
  default     = {}
}
