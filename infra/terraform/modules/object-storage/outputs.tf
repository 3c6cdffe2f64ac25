output "archive_url" {
  description = "The event archive's location for the chart (archive.url)"
  value       = "s3://${aws_s3_bucket.this["archive"].id}/events"
}

output "warehouse_url" {
  description = "The warehouse export's location for the chart (warehouse.url)"
  value       = "s3://${aws_s3_bucket.this["warehouse"].id}/daily"
}

output "role_arn" {
  description = "IAM role the chart's service account assumes (annotation eks.amazonaws.com/role-arn)"
  value       = aws_iam_role.tally.arn
}

output "bucket_arns" {
  description = "ARNs of the buckets, by purpose"
  value       = { for k, b in aws_s3_bucket.this : k => b.arn }
}
