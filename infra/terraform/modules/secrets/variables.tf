variable "name" {
  description = "Prefix of the secrets' names (`<name>/operator-token`, ...) and of the KMS key's alias"
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9][a-zA-Z0-9/_+=.@-]{0,400}$", var.name)) && !startswith(var.name, "AmazonMSK_")
    error_message = "name must hold only letters, digits and /_+=.@- and must not start with AmazonMSK_."
  }
}

variable "operator_token_length" {
  description = "Length of the generated operator token (letters and digits)"
  type        = number
  default     = 48

  validation {
    condition     = var.operator_token_length >= 32
    error_message = "operator_token_length must be at least 32."
  }
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0: deleted at once)"
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or 7 to 30."
  }
}

variable "tags" {
  description = "Tags for every resource"
  type        = map(string)
  default     = {}
}
