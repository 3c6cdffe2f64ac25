# What the module computes from good input. Every run is `command = plan`: the module has no provider and no
# resource, so these run offline (terraform test, no init needed).

variables {
  image_tag               = "0.1.0"
  postgres_jdbc_url       = "jdbc:postgresql://tally.abc123.eu-central-1.rds.amazonaws.com:5432/tally?sslmode=require"
  postgres_cidrs          = ["10.42.64.0/24", "10.42.65.0/24", "10.42.66.0/24"]
  kafka_bootstrap_brokers = "b-1.tally.x1y2z3.c2.kafka.eu-central-1.amazonaws.com:9096,b-2.tally.x1y2z3.c2.kafka.eu-central-1.amazonaws.com:9096,b-3.tally.x1y2z3.c2.kafka.eu-central-1.amazonaws.com:9096"
  kafka_cidrs             = ["10.42.64.0/24", "10.42.65.0/24", "10.42.66.0/24"]
}

run "managed_services_are_reached_over_tls_with_scram" {
  command = plan

  assert {
    condition     = output.values.kafka.securityProtocol == "SASL_SSL" && output.values.kafka.sasl.mechanism == "SCRAM-SHA-512"
    error_message = "Kafka must be reached with SASL_SSL and SCRAM-SHA-512, got ${output.values.kafka.securityProtocol}/${output.values.kafka.sasl.mechanism}."
  }
  assert {
    condition     = output.values.kafka.bootstrapServers == var.kafka_bootstrap_brokers
    error_message = "kafka.bootstrapServers must be the SCRAM bootstrap brokers as given."
  }
  assert {
    condition     = output.values.networkPolicy.kafka.ports == tolist([9096])
    error_message = "The NetworkPolicy must open only MSK's SCRAM port 9096, got ${jsonencode(output.values.networkPolicy.kafka.ports)}."
  }
  assert {
    condition     = output.values.networkPolicy.kafka.cidrs == var.kafka_cidrs && output.values.networkPolicy.postgres.cidrs == var.postgres_cidrs
    error_message = "The NetworkPolicy must name exactly the given database and broker CIDRs."
  }
  assert {
    condition     = output.values.networkPolicy.postgres.port == 5432 && output.values.networkPolicy.enabled
    error_message = "The NetworkPolicy must be on and open the database port from the URL (5432)."
  }
  assert {
    condition     = output.values.postgres.url == "jdbc:postgresql://tally.abc123.eu-central-1.rds.amazonaws.com:5432/tally"
    error_message = "postgres.url must be the JDBC URL without query parameters (the chart adds them), got ${output.values.postgres.url}."
  }
  assert {
    condition     = output.values.postgres.sslMode == "require"
    error_message = "postgres.sslMode must default to require."
  }
  assert {
    condition     = output.values.image.tag == "0.1.0" && output.values.image.registry == "ghcr.io" && output.values.image.flavor == "jvm"
    error_message = "image.* must carry the tag given and the defaults."
  }
  assert {
    condition     = output.values.ingress.enabled == false
    error_message = "The Ingress must be off unless asked for."
  }
}

run "secrets_are_referenced_by_name_never_by_value" {
  command = plan

  variables {
    postgres_secret_name       = "prod-db-credentials"
    kafka_secret_name          = "prod-kafka-scram"
    operator_token_secret_name = "prod-operator"
  }

  assert {
    condition = (output.values.postgres.existingSecret == "prod-db-credentials"
      && output.values.kafka.sasl.existingSecret == "prod-kafka-scram"
    && output.values.operatorToken.existingSecret == "prod-operator")
    error_message = "Each Secret must be referenced by the name given."
  }
  assert {
    condition = (output.values.postgres.userKey == "username" && output.values.postgres.passwordKey == "password"
      && output.values.kafka.sasl.usernameKey == "username" && output.values.kafka.sasl.passwordKey == "password"
    && output.values.operatorToken.key == "token")
    error_message = "The keys inside the Secrets must be the ones the example's kubernetes_secret resources write."
  }
  # Every key of the rendered YAML that looks like it could carry a secret is one of the reference keys: a value such
  # as `password: hunter2` or `token: ...` anywhere in the values fails here (yamlencode quotes keys: "key":).
  assert {
    condition = alltrue([
      for m in regexall("(?m)^\\s*\"?([A-Za-z]*(?i:password|passwd|token|secret|credential)[A-Za-z]*)\"?:", output.values_yaml) :
      contains(["existingSecret", "passwordKey", "operatorToken", "secretName", "pullSecrets"], m[0])
    ])
    error_message = "values_yaml has a secret-looking key other than a Secret reference: ${join(", ", [for m in regexall("(?m)^\\s*\"?([A-Za-z]*(?i:password|passwd|token|secret|credential)[A-Za-z]*)\"?:", output.values_yaml) : m[0]])}."
  }
  # and the pattern above does see the keys that are there (it would pass vacuously if it matched nothing)
  assert {
    condition     = length(regexall("(?m)^\\s*\"?existingSecret\"?:", output.values_yaml)) == 3
    error_message = "values_yaml must reference exactly three existing Secrets (database, Kafka, operator token)."
  }
}

run "retention_covers_the_correction_and_reconciliation_windows" {
  command = plan

  variables {
    correction_window_days     = 7
    reconciliation_window_days = 35
    retention_grace_days       = 3
  }

  # (7 + 35 + 3) days x 86,400,000 ms
  assert {
    condition     = output.topics["tally.events.accepted"].config["retention.ms"] == "3888000000"
    error_message = "retention.ms of tally.events.accepted must be 45 days (3888000000), got ${output.topics["tally.events.accepted"].config["retention.ms"]}."
  }
  assert {
    condition     = output.events_accepted_retention_days == 45 && output.values.kafka.topics.acceptedRetentionDays == 45
    error_message = "The chart's kafka.topics.acceptedRetentionDays must be the same 45 days."
  }
  assert {
    condition     = output.values.services.ingest.correctionWindow == "P7D"
    error_message = "ingest's correction window (its outbox retention) must be the correction_window_days the retention was computed from."
  }
  assert {
    condition     = output.topics["tally.events.raw"].config["retention.ms"] == "604800000"
    error_message = "The other delete-policy topics keep retention_days (7 days: 604800000 ms)."
  }
}

run "a_longer_correction_window_lengthens_the_retention" {
  command = plan

  variables {
    correction_window_days     = 14
    reconciliation_window_days = 62
    retention_grace_days       = 0
  }

  assert {
    condition     = output.topics["tally.events.accepted"].config["retention.ms"] == tostring(76 * 86400000)
    error_message = "retention.ms must follow the windows: 14 + 62 days."
  }
  assert {
    condition     = output.values.services.ingest.correctionWindow == "P14D"
    error_message = "ingest's correction window must follow correction_window_days."
  }
}

run "an_explicit_retention_at_least_the_windows_is_kept" {
  command = plan

  variables {
    events_accepted_retention_days = 90
  }

  assert {
    condition     = output.topics["tally.events.accepted"].config["retention.ms"] == "7776000000"
    error_message = "An explicit 90-day retention must be used as given (7776000000 ms)."
  }
}

run "the_topic_plan_is_the_platforms" {
  command = plan

  assert {
    condition = toset(keys(output.topics)) == toset([
      "tally.events.raw", "tally.events.dead", "tally.events.accepted", "tally.usage.rated",
      "tally.catalog", "tally.watermarks", "tally.invoices", "tally.alerts",
    ])
    error_message = "The topics must be shared-model's Topics.ALL, got ${jsonencode(keys(output.topics))}."
  }
  assert {
    condition     = alltrue([for t in values(output.topics) : t.replication_factor == 3 && t.config["min.insync.replicas"] == "2"])
    error_message = "Every topic needs replication factor 3 and min.insync.replicas 2."
  }
  assert {
    condition     = output.topics["tally.catalog"].config["cleanup.policy"] == "compact" && output.topics["tally.catalog"].partitions == 1
    error_message = "tally.catalog must be compacted, with one partition."
  }
  assert {
    condition     = !contains(keys(output.topics["tally.catalog"].config), "retention.ms")
    error_message = "A compacted topic keeps no time-based retention."
  }
  assert {
    condition     = output.topics["tally.events.accepted"].partitions == 4 && output.topics["tally.events.accepted"].config["cleanup.policy"] == "delete"
    error_message = "tally.events.accepted keeps the platform's 4 partitions (acceptance markers and watermarks depend on it)."
  }
  assert {
    condition     = length(output.topic_commands) == 16 && strcontains(output.topic_commands[0], "--if-not-exists")
    error_message = "There must be a create and a config command per topic, the creates idempotent."
  }
  assert {
    condition = anytrue([for c in output.topic_commands : strcontains(c, "--topic tally.events.accepted --partitions 4 --replication-factor 3")
    && strcontains(c, "--config retention.ms=3888000000")])
    error_message = "The create command of tally.events.accepted must carry its partitions, replication factor and retention."
  }
}

run "small_profile_runs_one_pod_each" {
  command = plan

  variables {
    profile = "small"
  }

  assert {
    condition     = alltrue([for s in values(output.values.services) : s.replicas == 1])
    error_message = "The small profile runs one replica per service."
  }
  assert {
    condition     = !output.values.services.ingest.autoscaling.enabled && !output.values.services.rating.autoscaling.enabled
    error_message = "The small profile does not autoscale."
  }
  assert {
    condition     = !output.values.podDisruptionBudget.enabled
    error_message = "A PodDisruptionBudget on a single replica would block node drains: off in the small profile."
  }
}

run "ha_profile_runs_replicas_across_zones" {
  command = plan

  variables {
    profile = "ha"
  }

  assert {
    condition = (output.values.services.ingest.replicas == 3 && output.values.services.rating.replicas == 2
    && output.values.services.invoicing.replicas == 3 && output.values.services.adminUi.replicas == 2)
    error_message = "The ha profile runs ingest 3, rating 2, invoicing 3, admin-ui 2 replicas."
  }
  assert {
    condition     = output.values.services.ingest.autoscaling.enabled && output.values.services.ingest.autoscaling.maxReplicas == 20
    error_message = "ingest autoscales up to 20 pods in the ha profile."
  }
  assert {
    condition = (output.values.services.rating.autoscaling.enabled
    && output.values.services.rating.autoscaling.maxReplicas <= output.topics["tally.events.accepted"].partitions)
    error_message = "rating must not scale past the partitions of tally.events.accepted (extra pods sit idle)."
  }
  assert {
    condition     = output.values.podDisruptionBudget.enabled && output.values.podDisruptionBudget.minAvailable == 1
    error_message = "The ha profile keeps PodDisruptionBudgets."
  }
}

run "the_ingress_carries_hosts_class_and_tls" {
  command = plan

  variables {
    ingress = {
      enabled       = true
      class_name    = "alb"
      annotations   = { "alb.ingress.kubernetes.io/scheme" = "internet-facing" }
      ingest_host   = "ingest.billing.example.org"
      admin_ui_host = "console.billing.example.org"
    }
  }

  assert {
    condition = (output.values.ingress.enabled && output.values.ingress.className == "alb"
      && output.values.ingress.ingest.host == "ingest.billing.example.org"
    && output.values.ingress.adminUi.host == "console.billing.example.org")
    error_message = "The Ingress must carry the class and hosts given."
  }
  assert {
    condition     = output.values.ingress.tls.enabled && output.values.ingress.tls.secretName == "tally-tls"
    error_message = "TLS must be on by default."
  }
}

run "values_yaml_is_the_values_object" {
  command = plan

  variables {
    # a tag YAML would read as a number if it were not quoted
    image_tag = "1.10"
  }

  assert {
    condition     = jsonencode(yamldecode(output.values_yaml)) == jsonencode(output.values)
    error_message = "values_yaml must decode to exactly the values object."
  }
  assert {
    condition     = yamldecode(output.values_yaml).image.tag == "1.10"
    error_message = "A numeric-looking tag must stay a string in values_yaml."
  }
}

run "the_archive_and_the_warehouse_go_to_s3_with_the_service_accounts_role" {
  command = plan

  variables {
    archive_url                 = "s3://acme-tally-archive/events"
    warehouse_url               = "s3://acme-tally-warehouse/daily"
    object_storage_region       = "eu-central-1"
    service_account_annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::123456789012:role/tally-object-storage" }
  }

  assert {
    condition     = output.values.archive.url == "s3://acme-tally-archive/events" && output.values.warehouse.url == "s3://acme-tally-warehouse/daily"
    error_message = "archive.url and warehouse.url must be the buckets' URLs as given."
  }
  assert {
    condition     = output.values.objectStorage.region == "eu-central-1"
    error_message = "objectStorage.region must be the buckets' region."
  }
  assert {
    condition     = output.values.serviceAccount.annotations["eks.amazonaws.com/role-arn"] == "arn:aws:iam::123456789012:role/tally-object-storage"
    error_message = "The service account must carry the role's annotation."
  }
}
