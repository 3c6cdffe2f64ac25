# Each validation rejects bad input: every run below gives one bad value and expects exactly that check to fail
# (terraform test fails a run whose expected failure does not happen, or when another check fails instead).

variables {
  image_tag               = "0.1.0"
  postgres_jdbc_url       = "jdbc:postgresql://tally.abc123.eu-central-1.rds.amazonaws.com:5432/tally?sslmode=require"
  postgres_cidrs          = ["10.42.64.0/24", "10.42.65.0/24", "10.42.66.0/24"]
  kafka_bootstrap_brokers = "b-1.tally.kafka.eu-central-1.amazonaws.com:9096,b-2.tally.kafka.eu-central-1.amazonaws.com:9096"
  kafka_cidrs             = ["10.42.64.0/24", "10.42.65.0/24", "10.42.66.0/24"]
}

run "rejects_an_unknown_profile" {
  command = plan
  variables {
    profile = "large"
  }
  expect_failures = [var.profile]
}

run "rejects_an_empty_image_tag" {
  command = plan
  variables {
    image_tag = ""
  }
  expect_failures = [var.image_tag]
}

run "rejects_the_latest_tag" {
  command = plan
  variables {
    image_tag = "latest"
  }
  expect_failures = [var.image_tag]
}

run "rejects_a_registry_with_a_scheme" {
  command = plan
  variables {
    image_registry = "https://ghcr.io"
  }
  expect_failures = [var.image_registry]
}

run "rejects_a_postgres_url_that_is_not_jdbc" {
  command = plan
  variables {
    postgres_jdbc_url = "postgres://tally.abc123.eu-central-1.rds.amazonaws.com:5432/tally"
  }
  expect_failures = [var.postgres_jdbc_url]
}

run "rejects_an_unencrypted_database_connection" {
  command = plan
  variables {
    postgres_ssl_mode = "disable"
  }
  expect_failures = [var.postgres_ssl_mode]
}

run "rejects_bootstrap_brokers_with_a_scheme" {
  command = plan
  variables {
    kafka_bootstrap_brokers = "SASL_SSL://b-1.tally.kafka.eu-central-1.amazonaws.com:9096"
  }
  expect_failures = [var.kafka_bootstrap_brokers]
}

run "rejects_a_cidr_that_is_not_one" {
  command = plan
  variables {
    postgres_cidrs = ["10.42.64.0/33"]
  }
  expect_failures = [var.postgres_cidrs]
}

run "rejects_opening_kafka_to_everywhere" {
  command = plan
  variables {
    kafka_cidrs = ["0.0.0.0/0"]
  }
  expect_failures = [var.kafka_cidrs]
}

run "rejects_a_secret_name_kubernetes_would_refuse" {
  command = plan
  variables {
    postgres_secret_name = "Tally_DB"
  }
  expect_failures = [var.postgres_secret_name]
}

run "rejects_a_retention_shorter_than_the_windows" {
  command = plan
  variables {
    correction_window_days         = 7
    reconciliation_window_days     = 35
    events_accepted_retention_days = 30
  }
  expect_failures = [var.events_accepted_retention_days]
}

run "rejects_a_fractional_correction_window" {
  command = plan
  variables {
    correction_window_days = 2.5
  }
  expect_failures = [var.correction_window_days]
}

run "rejects_a_retention_the_chart_refuses" {
  command = plan
  # 2 + 2 + 0 = 4 days: within the windows, but the chart's schema wants at least 7
  variables {
    correction_window_days     = 2
    reconciliation_window_days = 2
    retention_grace_days       = 0
  }
  expect_failures = [output.values]
}

run "rejects_an_ingress_without_hosts" {
  command = plan
  variables {
    ingress = {
      enabled = true
    }
  }
  expect_failures = [var.ingress]
}

run "rejects_an_archive_that_is_not_an_s3_url" {
  command = plan
  variables {
    archive_url = "/mnt/archive"
  }
  expect_failures = [var.archive_url]
}
