data "aws_availability_zones" "available" {
  count = var.azs == null ? 1 : 0
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  azs = var.azs != null ? var.azs : slice(data.aws_availability_zones.available[0].names, 0, 3)

  # For a /16: private 10.x.0.0/20, 10.x.16.0/20, 10.x.32.0/20; public 10.x.48-50.0/24; database 10.x.64-66.0/24
  private_subnets  = coalesce(var.private_subnets, [for i in range(3) : cidrsubnet(var.cidr, 4, i)])
  public_subnets   = coalesce(var.public_subnets, [for i in range(3) : cidrsubnet(var.cidr, 8, 48 + i)])
  database_subnets = coalesce(var.database_subnets, [for i in range(3) : cidrsubnet(var.cidr, 8, 64 + i)])

  cluster_tags = var.cluster_name == null ? {} : { "kubernetes.io/cluster/${var.cluster_name}" = "shared" }
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 6.6"

  name = var.name
  cidr = var.cidr
  azs  = local.azs

  public_subnets   = local.public_subnets
  private_subnets  = local.private_subnets
  database_subnets = local.database_subnets

  # nothing launched in a public subnet gets a public address by itself
  map_public_ip_on_launch = false

  enable_nat_gateway     = true
  single_nat_gateway     = var.nat_gateway_mode == "single"
  one_nat_gateway_per_az = var.nat_gateway_mode == "one_per_az"

  enable_dns_hostnames = true
  enable_dns_support   = true

  # Database subnets get their own route table with no route to the internet (neither IGW nor NAT). The postgres
  # module makes its own DB subnet group from these subnets.
  create_database_subnet_route_table     = true
  create_database_internet_gateway_route = false
  create_database_nat_gateway_route      = false
  create_database_subnet_group           = false

  # the default security group is adopted with no rules: nothing can use it by accident
  manage_default_security_group  = true
  default_security_group_ingress = []
  default_security_group_egress  = []

  enable_flow_log                                 = var.enable_flow_log
  create_flow_log_cloudwatch_log_group            = var.enable_flow_log
  create_flow_log_cloudwatch_iam_role             = var.enable_flow_log
  flow_log_max_aggregation_interval               = 60
  flow_log_cloudwatch_log_group_retention_in_days = var.flow_log_retention_in_days

  public_subnet_tags  = merge(local.cluster_tags, { "kubernetes.io/role/elb" = "1" })
  private_subnet_tags = merge(local.cluster_tags, { "kubernetes.io/role/internal-elb" = "1" })

  tags = var.tags
}
