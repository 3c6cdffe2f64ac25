variable "name" {
  description = "Name of the EKS cluster"
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,99}$", var.name))
    error_message = "name must start with a letter and hold only letters, digits and '-' (at most 100)."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes `<major>.<minor>` of the control plane; pick one in EKS standard support (extended support costs more). The chart needs 1.27 or later"
  type        = string
  default     = "1.34"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version)) && tonumber(split(".", var.kubernetes_version)[1]) >= 27
    error_message = "kubernetes_version must be <major>.<minor>, 1.27 or later."
  }
}

variable "vpc_id" {
  description = "ID of the VPC (the network module's vpc_id)"
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the nodes and the control plane's network interfaces, one per availability zone (the network module's private_subnets)"
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must name at least two subnets (EKS needs two availability zones; three are recommended)."
  }
}

variable "endpoint_public_access_cidrs" {
  description = "CIDRs allowed to reach the Kubernetes API from the internet. Empty (default): the API endpoint is private only and Terraform, kubectl and helm must run from inside the VPC (a bastion, a VPN, a runner in the VPC). Never 0.0.0.0/0"
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.endpoint_public_access_cidrs : can(cidrhost(c, 0)) && !endswith(c, "/0")])
    error_message = "endpoint_public_access_cidrs must be CIDR blocks, and none may be /0: name the networks that administer the cluster."
  }
}

variable "admin_principal_arns" {
  description = "IAM principals (roles or users) given cluster-admin through EKS access entries, besides the identity that creates the cluster"
  type        = list(string)
  default     = []
}

variable "enable_cluster_creator_admin_permissions" {
  description = "Give the identity that runs Terraform cluster-admin (needed when the same apply installs the chart)"
  type        = bool
  default     = true
}

variable "node_instance_types" {
  description = "Instance types of the managed node group. The `ha` profile requests about 5 vCPU and 7 GiB for Tally's pods; m6i.xlarge x 3 leaves room for system pods and a rolling update"
  type        = list(string)
  default     = ["m6i.xlarge"]
}

variable "node_min_size" {
  description = "Fewest nodes (three: one per availability zone, so every zone keeps pods)"
  type        = number
  default     = 3
}

variable "node_max_size" {
  description = "Most nodes (the cluster autoscaler or Karpenter, if installed, scales within this)"
  type        = number
  default     = 6

  validation {
    condition     = var.node_max_size >= var.node_min_size
    error_message = "node_max_size must be at least node_min_size."
  }
}

variable "node_desired_size" {
  description = "Nodes to start with (ignored after creation by the node group)"
  type        = number
  default     = 3

  validation {
    condition     = var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size
    error_message = "node_desired_size must lie between node_min_size and node_max_size."
  }
}

variable "node_disk_size_gib" {
  description = "Size of each node's root volume (gp3, encrypted)"
  type        = number
  default     = 50

  validation {
    condition     = var.node_disk_size_gib >= 20
    error_message = "node_disk_size_gib must be at least 20."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the cluster until this is turned off"
  type        = bool
  default     = true
}

variable "log_retention_in_days" {
  description = "Days the control plane's logs (api, audit, authenticator) are kept in CloudWatch Logs"
  type        = number
  default     = 90
}

variable "tags" {
  description = "Tags for every resource"
  type        = map(string)
  default     = {}
}
