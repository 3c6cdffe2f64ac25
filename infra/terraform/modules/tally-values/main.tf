locals {
  day_ms = 86400000

  # The platform's topics: shared-model's Topics.ALL (dev.tally.model.messages.Topics), name, partitions and
  # compaction. The partitions are the platform's, not a tuning knob: ingest writes an acceptance marker to each of
  # the 4 partitions of tally.events.accepted and rating's watermarks need one from every partition, so a topic grown
  # to more partitions holds closes back. infra/deploy-check's TerraformTest proves this list equals Topics.ALL.
  platform_topics = [
    { name = "tally.events.raw", partitions = 4, compacted = false },
    { name = "tally.events.dead", partitions = 4, compacted = false },
    { name = "tally.events.accepted", partitions = 4, compacted = false },
    { name = "tally.usage.rated", partitions = 4, compacted = false },
    { name = "tally.catalog", partitions = 1, compacted = true },
    { name = "tally.watermarks", partitions = 1, compacted = true },
    { name = "tally.invoices", partitions = 4, compacted = false },
    { name = "tally.alerts", partitions = 4, compacted = false },
  ]

  replication_factor  = 3
  min_insync_replicas = 2

  # tally.events.accepted is what retractions/amendments re-read (the correction window) and what reconciliation
  # and the per-line event listing replay from its start (the reconciliation window): keep it for both, plus grace.
  accepted_retention_days = coalesce(
    var.events_accepted_retention_days,
    var.correction_window_days + var.reconciliation_window_days + var.retention_grace_days,
  )

  topics = {
    for t in local.platform_topics : t.name => {
      partitions         = t.partitions
      replication_factor = local.replication_factor
      compacted          = t.compacted
      config = merge(
        {
          "cleanup.policy"      = t.compacted ? "compact" : "delete"
          "min.insync.replicas" = tostring(local.min_insync_replicas)
        },
        t.compacted ? {} : {
          "retention.ms" = tostring((t.name == "tally.events.accepted" ? local.accepted_retention_days : var.retention_days) * local.day_ms)
        },
      )
    }
  }

  # Idempotent commands that create the topics and converge their settings; run where the brokers are reachable with
  # KAFKA_BOOTSTRAP and KAFKA_CLIENT_CONFIG (a client.properties with SASL_SSL and SCRAM-SHA-512) in the environment.
  # Partitions are never altered (see above); retention and min.insync.replicas are (kafka-configs --alter).
  topic_commands = flatten([
    for name, t in local.topics : [
      join(" ", concat(
        ["kafka-topics.sh --bootstrap-server \"$KAFKA_BOOTSTRAP\" --command-config \"$KAFKA_CLIENT_CONFIG\"",
        "--create --if-not-exists --topic ${name} --partitions ${t.partitions} --replication-factor ${t.replication_factor}"],
        [for k, v in t.config : "--config ${k}=${v}"],
      )),
      join(" ", [
        "kafka-configs.sh --bootstrap-server \"$KAFKA_BOOTSTRAP\" --command-config \"$KAFKA_CLIENT_CONFIG\"",
        "--alter --entity-type topics --entity-name ${name} --add-config",
        join(",", [for k, v in t.config : "${k}=${v}"]),
      ]),
    ]
  ])

  # The services' replica counts. `ha` is the chart's ci/ha-values.yaml: rating scales up to the 4 partitions of
  # tally.events.accepted (more pods would sit idle); admin-ui keeps sessions in memory (the Service pins clients).
  # `small` runs one pod each: no autoscaling and no PodDisruptionBudget (one with minAvailable 1 on a single
  # replica would block every node drain).
  profiles = {
    small = {
      services = {
        ingest    = { replicas = 1, autoscaling = { enabled = false, minReplicas = 1, maxReplicas = 1, targetCPUUtilizationPercentage = 70 } }
        rating    = { replicas = 1, autoscaling = { enabled = false, minReplicas = 1, maxReplicas = 1, targetCPUUtilizationPercentage = 70 } }
        invoicing = { replicas = 1 }
        adminUi   = { replicas = 1 }
      }
      podDisruptionBudget = { enabled = false, minAvailable = 1 }
    }
    ha = {
      services = {
        ingest    = { replicas = 3, autoscaling = { enabled = true, minReplicas = 3, maxReplicas = 20, targetCPUUtilizationPercentage = 70 } }
        rating    = { replicas = 2, autoscaling = { enabled = true, minReplicas = 2, maxReplicas = 4, targetCPUUtilizationPercentage = 70 } }
        invoicing = { replicas = 3 }
        adminUi   = { replicas = 2 }
      }
      podDisruptionBudget = { enabled = true, minAvailable = 1 }
    }
  }
  profile = local.profiles[var.profile]

  # the ports of the bootstrap brokers (MSK's SASL/SCRAM listener: 9096): the only ones the NetworkPolicy opens
  kafka_ports = distinct([
    for b in split(",", var.kafka_bootstrap_brokers) : tonumber(regex(":([0-9]+)$", b)[0])
  ])
  postgres_port = tonumber(try(regex("^jdbc:postgresql://[^/:]+:([0-9]+)/", var.postgres_jdbc_url)[0], "5432"))

  # The chart's values. Secrets appear only as the names of Secrets that already exist, never as values.
  values = {
    image = {
      registry         = var.image_registry
      repositoryPrefix = var.image_repository_prefix
      tag              = var.image_tag
      flavor           = var.image_flavor
      pullPolicy       = "IfNotPresent"
      pullSecrets      = [for s in var.image_pull_secrets : { name = s }]
    }
    postgres = {
      url            = split("?", var.postgres_jdbc_url)[0]
      sslMode        = var.postgres_ssl_mode
      existingSecret = var.postgres_secret_name
      userKey        = "username"
      passwordKey    = "password"
    }
    kafka = {
      bootstrapServers = var.kafka_bootstrap_brokers
      securityProtocol = "SASL_SSL"
      sasl = {
        mechanism      = "SCRAM-SHA-512"
        existingSecret = var.kafka_secret_name
        usernameKey    = "username"
        passwordKey    = "password"
      }
      topics = {
        replicationFactor     = local.replication_factor
        minInsyncReplicas     = local.min_insync_replicas
        acceptedRetentionDays = local.accepted_retention_days
        retentionDays         = var.retention_days
      }
    }
    operatorToken = {
      existingSecret = var.operator_token_secret_name
      key            = "token"
    }
    ingress = {
      enabled     = var.ingress.enabled
      className   = var.ingress.class_name
      annotations = var.ingress.annotations
      ingest      = { host = coalesce(var.ingress.ingest_host, "ingest.tally.example.com") }
      adminUi     = { host = coalesce(var.ingress.admin_ui_host, "console.tally.example.com") }
      tls = {
        enabled    = var.ingress.tls_enabled
        secretName = var.ingress.tls_secret_name
      }
    }
    networkPolicy = {
      enabled  = true
      postgres = { cidrs = var.postgres_cidrs, port = local.postgres_port }
      kafka    = { cidrs = var.kafka_cidrs, ports = local.kafka_ports }
    }
    services = merge(local.profile.services, {
      ingest = merge(local.profile.services.ingest, { correctionWindow = "P${var.correction_window_days}D" })
    })
    podDisruptionBudget = local.profile.podDisruptionBudget
    # the archive and the warehouse export in S3, reached with the service account's role (no key in a Secret)
    archive        = { url = var.archive_url }
    warehouse      = { url = var.warehouse_url }
    objectStorage  = { region = var.object_storage_region }
    serviceAccount = { create = true, name = "", annotations = var.service_account_annotations }
  }
}
