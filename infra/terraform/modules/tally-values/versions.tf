terraform {
  # 1.9: validation conditions may refer to other variables (the retention check compares three of them)
  required_version = ">= 1.9"

  # No providers and no resources: this module only computes values, so `terraform test` runs it anywhere, offline.
}
