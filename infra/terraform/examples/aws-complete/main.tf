locals {
  tags = merge(var.tags, {
    Project   = "tally"
    ManagedBy = "terraform"
  })

  # the Kubernetes Secrets the chart references, by name
  secret_names = {
    db       = "tally-db"
    kafka    = "tally-kafka"
    operator = "tally-operator"
  }
}

################################################################################
# AWS infrastructure
################################################################################

module "network" {
  source = "../../modules/network"

  name             = var.name
  cidr             = var.vpc_cidr
  nat_gateway_mode = var.nat_gateway_mode
  cluster_name     = var.name
  tags             = local.tags
}

module "eks" {
  source = "../../modules/eks"

  name                         = var.name
  kubernetes_version           = var.kubernetes_version
  vpc_id                       = module.network.vpc_id
  subnet_ids                   = module.network.private_subnets
  endpoint_public_access_cidrs = var.cluster_endpoint_public_access_cidrs
  admin_principal_arns         = var.admin_principal_arns
  node_instance_types          = var.node_instance_types
  deletion_protection          = var.deletion_protection
  tags                         = local.tags
}

# Pods take their addresses from the private subnets and carry the nodes' security group (VPC CNI), so the database
# and the brokers admit exactly that group; the chart's NetworkPolicy narrows the pods' egress to their subnets.
module "postgres" {
  source = "../../modules/postgres"

  identifier                 = "${var.name}-db"
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.database_subnets
  allowed_security_group_ids = [module.eks.node_security_group_id]
  instance_class             = var.db_instance_class
  backup_retention_period    = var.db_backup_retention_days
  deletion_protection        = var.deletion_protection
  tags                       = local.tags
}

module "kafka" {
  source = "../../modules/kafka"

  name                       = "${var.name}-kafka"
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.database_subnets
  allowed_security_group_ids = [module.eks.node_security_group_id]
  instance_type              = var.kafka_instance_type
  volume_size_gib            = var.kafka_volume_size_gib
  tags                       = local.tags
}

# The event archive (Kafka's events past its retention, for reconciliation and disputes) and the warehouse export, in
# S3; invoicing reaches them with the service account's role, no key in a Secret
module "object_storage" {
  source = "../../modules/object-storage"

  name              = var.name
  archive_bucket    = var.archive_bucket
  warehouse_bucket  = var.warehouse_bucket
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_issuer_url   = module.eks.cluster_oidc_issuer_url
  namespace         = var.namespace
  service_account   = "tally" # the release's full name (helm_release.tally below)
  force_destroy     = !var.deletion_protection
  tags              = local.tags
}

module "secrets" {
  source = "../../modules/secrets"

  name = "tally/${var.name}"
  tags = local.tags
}

################################################################################
# The chart's values, from the infrastructure
################################################################################

module "tally_values" {
  source = "../../modules/tally-values"

  profile                 = var.profile
  image_registry          = var.image_registry
  image_repository_prefix = var.image_repository_prefix
  image_tag               = var.image_tag
  image_flavor            = var.image_flavor

  postgres_jdbc_url    = module.postgres.jdbc_url
  postgres_secret_name = local.secret_names.db
  postgres_cidrs       = module.network.database_subnets_cidr_blocks

  kafka_bootstrap_brokers = module.kafka.bootstrap_brokers_sasl_scram
  kafka_secret_name       = local.secret_names.kafka
  kafka_cidrs             = module.network.database_subnets_cidr_blocks

  operator_token_secret_name = local.secret_names.operator

  ingress = var.ingress

  correction_window_days     = var.correction_window_days
  reconciliation_window_days = var.reconciliation_window_days

  archive_url                 = module.object_storage.archive_url
  warehouse_url               = module.object_storage.warehouse_url
  object_storage_region       = var.region
  service_account_annotations = { "eks.amazonaws.com/role-arn" = module.object_storage.role_arn }
}

################################################################################
# Namespace and the Secrets the chart references
################################################################################

resource "kubernetes_namespace_v1" "tally" {
  metadata {
    name = var.namespace
    labels = {
      # Tally's pods run non-root, read-only, without capabilities, under RuntimeDefault seccomp: hold every pod here to it
      "pod-security.kubernetes.io/enforce" = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
      "pod-security.kubernetes.io/warn"    = "restricted"
    }
  }

  depends_on = [module.eks]
}

# RDS keeps the master user's credentials in Secrets Manager (JSON: username, password). This copies them into the
# Secret the chart reads. RDS rotates that password (every 7 days by default): a copy made here goes stale then, and
# pods that reconnect fail until the next apply refreshes it — see README.md ("Database credentials").
data "aws_secretsmanager_secret_version" "db" {
  secret_id = module.postgres.master_user_secret_arn
}

resource "kubernetes_secret_v1" "db" {
  metadata {
    name      = local.secret_names.db
    namespace = kubernetes_namespace_v1.tally.metadata[0].name
  }

  data = {
    username = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["username"]
    password = jsondecode(data.aws_secretsmanager_secret_version.db.secret_string)["password"]
  }
}

resource "kubernetes_secret_v1" "operator" {
  metadata {
    name      = local.secret_names.operator
    namespace = kubernetes_namespace_v1.tally.metadata[0].name
  }

  data = {
    token = module.secrets.operator_token
  }
}

resource "kubernetes_secret_v1" "kafka" {
  metadata {
    name      = local.secret_names.kafka
    namespace = kubernetes_namespace_v1.tally.metadata[0].name
  }

  data = {
    username = module.kafka.scram_username
    password = module.kafka.scram_password
  }
}

################################################################################
# Topics: the services do not create them (auto.create.topics.enable=false on the cluster)
################################################################################

locals {
  # Writes the SCRAM client config (credentials from the tally-kafka Secret, into an emptyDir only this pod sees),
  # then runs the tally-values module's idempotent create/config commands.
  topics_script = <<-EOT
    export PATH="/opt/kafka/bin:$PATH"
    umask 077
    cat > "$KAFKA_CLIENT_CONFIG" <<EOF
    security.protocol=SASL_SSL
    sasl.mechanism=SCRAM-SHA-512
    sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_USERNAME" password="$KAFKA_PASSWORD";
    EOF
    ${join("\n", module.tally_values.topic_commands)}
  EOT
}

resource "kubernetes_job_v1" "topics" {
  count = var.create_topics ? 1 : 0

  metadata {
    # a new Job whenever the commands change (a Job's pod template cannot be updated)
    name      = "tally-topics-${substr(sha1(local.topics_script), 0, 10)}"
    namespace = kubernetes_namespace_v1.tally.metadata[0].name
    labels = {
      "app.kubernetes.io/name"    = "tally-topics"
      "app.kubernetes.io/part-of" = "tally"
    }
  }

  spec {
    backoff_limit = 6

    template {
      metadata {
        labels = {
          "app.kubernetes.io/name"    = "tally-topics"
          "app.kubernetes.io/part-of" = "tally"
        }
      }

      spec {
        restart_policy                  = "Never"
        automount_service_account_token = false

        security_context {
          run_as_non_root = true
          run_as_user     = 1000
          run_as_group    = 1000
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name    = "kafka-topics"
          image   = var.kafka_tools_image
          command = ["/bin/bash", "-ec", local.topics_script]

          env {
            name  = "KAFKA_BOOTSTRAP"
            value = module.kafka.bootstrap_brokers_sasl_scram
          }
          env {
            name  = "KAFKA_CLIENT_CONFIG"
            value = "/tmp/client.properties"
          }
          env {
            # kafka-run-class.sh writes its logs here; the root filesystem is read-only
            name  = "LOG_DIR"
            value = "/tmp/logs"
          }
          env {
            name = "KAFKA_USERNAME"
            value_from {
              secret_key_ref {
                name = kubernetes_secret_v1.kafka.metadata[0].name
                key  = "username"
              }
            }
          }
          env {
            name = "KAFKA_PASSWORD"
            value_from {
              secret_key_ref {
                name = kubernetes_secret_v1.kafka.metadata[0].name
                key  = "password"
              }
            }
          }

          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            run_as_non_root            = true
            capabilities {
              drop = ["ALL"]
            }
          }

          resources {
            requests = { cpu = "100m", memory = "512Mi" }
            limits   = { cpu = "1", memory = "768Mi" }
          }

          volume_mount {
            name       = "tmp"
            mount_path = "/tmp"
          }
        }

        volume {
          name = "tmp"
          empty_dir {}
        }
      }
    }
  }

  wait_for_completion = true

  timeouts {
    create = "15m"
    update = "15m"
  }

  # the SCRAM secret must be associated with the cluster before the Job can sign in
  depends_on = [module.kafka]
}

################################################################################
# Tally
################################################################################

resource "helm_release" "tally" {
  name      = "tally"
  chart     = "${path.module}/../../../helm/tally"
  namespace = kubernetes_namespace_v1.tally.metadata[0].name

  values = [module.tally_values.values_yaml]

  wait            = true
  atomic          = true
  cleanup_on_fail = true
  timeout         = 900
  max_history     = 10

  depends_on = [
    kubernetes_secret_v1.db,
    kubernetes_secret_v1.operator,
    kubernetes_secret_v1.kafka,
    kubernetes_job_v1.topics,
    module.eks,
  ]
}
