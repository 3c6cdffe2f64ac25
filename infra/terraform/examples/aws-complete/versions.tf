terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.28, < 7.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 3.0"
    }
    helm = {
      source  = "hashicorp/helm"
      version = "~> 3.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # The state holds secrets (the database password copied into Kubernetes, the SCRAM password, the operator token):
  # keep it in an encrypted, access-controlled bucket. Partial configuration: `terraform init -backend-config=backend.hcl`
  # (backend.hcl.example). For a throw-away try without a bucket: `terraform init -backend=false` is not enough to
  # apply; remove this block and keep the local terraform.tfstate as secret as the passwords it holds.
  backend "s3" {}
}
