terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # terraform-aws-modules/vpc 6.x needs >= 6.28
      version = ">= 6.28, < 7.0"
    }
  }
}
