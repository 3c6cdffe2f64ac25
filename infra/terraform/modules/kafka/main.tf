################################################################################
# KMS key: data at rest and the SCRAM secret (MSK needs a customer-managed key for the latter)
################################################################################

resource "aws_kms_key" "this" {
  count = var.create_kms_key ? 1 : 0

  description             = "MSK ${var.name}: data at rest and the SCRAM secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  tags = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.create_kms_key ? 1 : 0

  name          = "alias/msk/${var.name}"
  target_key_id = aws_kms_key.this[0].key_id
}

locals {
  kms_key_arn = var.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn

  # the listeners clients may use: SASL/SCRAM over TLS (9096), and IAM over TLS (9098) if asked for
  client_ports = var.enable_iam_auth ? [9096, 9098] : [9096]

  cidr_rules = { for pair in setproduct(var.allowed_cidr_blocks, local.client_ports) : "${pair[0]}/${pair[1]}" => { cidr = pair[0], port = pair[1] } }
}

################################################################################
# Security group: the client listeners from what is named, nothing else
################################################################################

resource "aws_security_group" "this" {
  name_prefix = "${var.name}-msk-"
  description = "MSK ${var.name}: SASL/SCRAM over TLS from the named CIDRs and security groups only"
  vpc_id      = var.vpc_id

  # no egress rule: the brokers' interfaces in this VPC only answer clients (replication runs inside MSK)

  tags = merge(var.tags, { Name = "${var.name}-msk" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "cidr" {
  for_each = local.cidr_rules

  security_group_id = aws_security_group.this.id
  description       = "Kafka ${each.value.port} from ${each.value.cidr}"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr

  tags = var.tags
}

resource "aws_vpc_security_group_ingress_rule" "security_group" {
  # count, not for_each: the IDs are usually unknown until apply (created in the same run); the list length is not
  count = length(var.allowed_security_group_ids) * length(local.client_ports)

  security_group_id            = aws_security_group.this.id
  description                  = "Kafka ${local.client_ports[count.index % length(local.client_ports)]} from a named security group"
  ip_protocol                  = "tcp"
  from_port                    = local.client_ports[count.index % length(local.client_ports)]
  to_port                      = local.client_ports[count.index % length(local.client_ports)]
  referenced_security_group_id = var.allowed_security_group_ids[floor(count.index / length(local.client_ports))]

  tags = var.tags
}

################################################################################
# Configuration: no topic appears by accident, no acknowledged write is lost to an unclean election
################################################################################

resource "aws_msk_configuration" "this" {
  # no kafka_versions: the configuration stays usable across version upgrades of the cluster
  name        = "${var.name}-config"
  description = "Tally: replication factor 3, min.insync.replicas 2, no auto-created topics, no unclean leader election"

  server_properties = <<-EOT
    auto.create.topics.enable=false
    default.replication.factor=3
    min.insync.replicas=2
    unclean.leader.election.enable=false
  EOT
}

################################################################################
# Broker logs
################################################################################

resource "aws_cloudwatch_log_group" "broker" {
  name              = "/aws/msk/${var.name}/broker"
  retention_in_days = var.log_retention_in_days

  tags = var.tags
}

################################################################################
# The cluster
################################################################################

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.broker_count
  enhanced_monitoring    = var.enhanced_monitoring

  broker_node_group_info {
    instance_type   = var.instance_type
    client_subnets  = var.subnet_ids
    security_groups = [aws_security_group.this.id]

    storage_info {
      ebs_storage_info {
        volume_size = var.volume_size_gib
      }
    }

    connectivity_info {
      public_access {
        type = "DISABLED"
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = local.kms_key_arn

    encryption_in_transit {
      # clients only over TLS, brokers among themselves too
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  client_authentication {
    unauthenticated = false

    sasl {
      scram = true
      iam   = var.enable_iam_auth
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.broker.name
      }
    }
  }

  tags = var.tags

  lifecycle {
    precondition {
      condition     = var.create_kms_key || var.kms_key_arn != null
      error_message = "Give kms_key_arn when create_kms_key is false: data at rest and the SCRAM secret need a customer-managed key."
    }
    precondition {
      condition     = length(var.allowed_cidr_blocks) + length(var.allowed_security_group_ids) > 0
      error_message = "Name at least one CIDR or security group allowed to connect; otherwise nothing can reach the brokers."
    }
  }
}

################################################################################
# SCRAM credentials: a secret named AmazonMSK_..., under the customer-managed key, associated with the cluster
################################################################################

resource "random_password" "scram" {
  length = 40
  # letters and digits only: the password goes into a JAAS config line, where quotes and backslashes need escaping
  special = false
}

resource "aws_secretsmanager_secret" "scram" {
  name                    = "AmazonMSK_${var.name}_${var.scram_username}"
  description             = "SASL/SCRAM credentials of ${var.scram_username} on MSK ${var.name}"
  kms_key_id              = local.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_in_days

  tags = var.tags
}

resource "aws_secretsmanager_secret_version" "scram" {
  secret_id = aws_secretsmanager_secret.scram.id
  secret_string = jsonencode({
    username = var.scram_username
    password = random_password.scram.result
  })
}

# MSK attaches this policy itself when the secret is associated; declaring it keeps plans free of that drift
data "aws_iam_policy_document" "scram" {
  statement {
    sid       = "AWSKafkaResourcePolicy"
    effect    = "Allow"
    actions   = ["secretsmanager:getSecretValue"]
    resources = [aws_secretsmanager_secret.scram.arn]

    principals {
      type        = "Service"
      identifiers = ["kafka.amazonaws.com"]
    }
  }
}

resource "aws_secretsmanager_secret_policy" "scram" {
  secret_arn = aws_secretsmanager_secret.scram.arn
  policy     = data.aws_iam_policy_document.scram.json
}

resource "aws_msk_scram_secret_association" "this" {
  cluster_arn     = aws_msk_cluster.this.arn
  secret_arn_list = [aws_secretsmanager_secret.scram.arn]

  depends_on = [aws_secretsmanager_secret_version.scram, aws_secretsmanager_secret_policy.scram]
}
