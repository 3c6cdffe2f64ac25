output "values" {
  description = "The Helm values of infra/helm/tally (an object): images, PostgreSQL and Kafka endpoints, the names of the Secrets the chart references, ingress, NetworkPolicy CIDRs and ports, and the profile's replica counts. Holds no secret"
  value       = local.values

  precondition {
    # the chart's values.schema.json: kafka.topics.acceptedRetentionDays has a minimum of 7
    condition     = local.accepted_retention_days >= 7
    error_message = "The retention of tally.events.accepted must be at least 7 days (the chart refuses less)."
  }
}

output "values_yaml" {
  description = "`values` as YAML, for helm_release's `values` or `helm install -f`"
  value       = yamlencode(local.values)
}

output "topics" {
  description = "The Kafka topic plan, by name: partitions, replication factor, whether compacted, and the topic configs (cleanup.policy, min.insync.replicas, retention.ms)"
  value       = local.topics
}

output "topic_commands" {
  description = "Idempotent kafka-topics.sh/kafka-configs.sh commands that create the topics and converge their configs; they read KAFKA_BOOTSTRAP and KAFKA_CLIENT_CONFIG (a client.properties for SASL_SSL with SCRAM-SHA-512) from the environment"
  value       = local.topic_commands
}

output "events_accepted_retention_days" {
  description = "The retention of tally.events.accepted in days (explicit, or correction + reconciliation windows + grace)"
  value       = local.accepted_retention_days
}
