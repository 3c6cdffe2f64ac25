variable "name" {
  description = "Name of the VPC and prefix of its resources"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,38}[a-z0-9]$", var.name))
    error_message = "name must be 3-40 lower-case letters, digits and '-', starting with a letter."
  }
}

variable "cidr" {
  description = "IPv4 CIDR of the VPC, /16 to /18. Subnets are carved from it unless given: for a /16, private /20s (pods take VPC addresses with the VPC CNI), public and database /24s"
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.cidr, 0)) && can(regex("^[0-9.]+/(16|17|18)$", var.cidr))
    error_message = "cidr must be an IPv4 CIDR with a prefix length from 16 to 18 (smaller VPCs leave too few addresses for pods)."
  }
}

variable "azs" {
  description = "Exactly three availability zones; null: the first three available in the region"
  type        = list(string)
  default     = null

  validation {
    condition     = var.azs == null ? true : length(var.azs) == 3 && length(distinct(var.azs)) == 3
    error_message = "azs must name three distinct availability zones."
  }
}

variable "private_subnets" {
  description = "CIDRs of the three private subnets (EKS nodes and pods); null: computed from cidr"
  type        = list(string)
  default     = null

  validation {
    condition     = var.private_subnets == null ? true : length(var.private_subnets) == 3 && alltrue([for c in var.private_subnets : can(cidrhost(c, 0))])
    error_message = "private_subnets must be three CIDR blocks."
  }
}

variable "public_subnets" {
  description = "CIDRs of the three public subnets (load balancers and NAT gateways only); null: computed from cidr"
  type        = list(string)
  default     = null

  validation {
    condition     = var.public_subnets == null ? true : length(var.public_subnets) == 3 && alltrue([for c in var.public_subnets : can(cidrhost(c, 0))])
    error_message = "public_subnets must be three CIDR blocks."
  }
}

variable "database_subnets" {
  description = "CIDRs of the three database subnets (RDS and MSK: no route to or from the internet); null: computed from cidr"
  type        = list(string)
  default     = null

  validation {
    condition     = var.database_subnets == null ? true : length(var.database_subnets) == 3 && alltrue([for c in var.database_subnets : can(cidrhost(c, 0))])
    error_message = "database_subnets must be three CIDR blocks."
  }
}

variable "nat_gateway_mode" {
  description = "`one_per_az` (default: a zone's outage does not cut the others' egress) or `single` (one NAT gateway for all zones: cheaper, for non-production)"
  type        = string
  default     = "one_per_az"

  validation {
    condition     = contains(["one_per_az", "single"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"one_per_az\" or \"single\"."
  }
}

variable "enable_flow_log" {
  description = "Record the VPC's traffic metadata (flow logs) to CloudWatch Logs"
  type        = bool
  default     = true
}

variable "flow_log_retention_in_days" {
  description = "Days the flow logs are kept"
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_in_days)
    error_message = "flow_log_retention_in_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "cluster_name" {
  description = "Name of the EKS cluster that will use the VPC, for the subnet tags its load balancer controller looks for; null: no cluster tags"
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for every resource"
  type        = map(string)
  default     = {}
}
