output "vpc_id" {
  description = "ID of the VPC"
  value       = module.vpc.vpc_id
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC"
  value       = module.vpc.vpc_cidr_block
}

output "azs" {
  description = "The three availability zones, in subnet order"
  value       = local.azs
}

output "public_subnets" {
  description = "IDs of the public subnets (load balancers, NAT gateways)"
  value       = module.vpc.public_subnets
}

output "private_subnets" {
  description = "IDs of the private subnets (EKS nodes and pods)"
  value       = module.vpc.private_subnets
}

output "private_subnets_cidr_blocks" {
  description = "CIDRs of the private subnets: where Tally's pods connect from"
  value       = module.vpc.private_subnets_cidr_blocks
}

output "database_subnets" {
  description = "IDs of the database subnets (RDS, MSK), without internet routes"
  value       = module.vpc.database_subnets
}

output "database_subnets_cidr_blocks" {
  description = "CIDRs of the database subnets: what the chart's NetworkPolicy lets the services reach"
  value       = module.vpc.database_subnets_cidr_blocks
}

output "nat_public_ips" {
  description = "Public addresses of the NAT gateways (what third parties, e.g. webhook receivers, see Tally's egress come from)"
  value       = module.vpc.nat_public_ips
}
