output "endpoint" {
  description = "Host name of the instance (without the port)"
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance"
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the database"
  value       = aws_db_instance.this.db_name
}

output "jdbc_url" {
  description = "JDBC URL with TLS required: jdbc:postgresql://host:port/db?sslmode=require"
  value       = "jdbc:postgresql://${aws_db_instance.this.address}:${aws_db_instance.this.port}/${aws_db_instance.this.db_name}?sslmode=require"
}

output "master_username" {
  description = "Master user name"
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret (JSON: username, password) RDS keeps and rotates for the master user"
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "security_group_id" {
  description = "Security group of the instance"
  value       = aws_security_group.this.id
}

output "instance_arn" {
  description = "ARN of the DB instance"
  value       = aws_db_instance.this.arn
}

output "instance_identifier" {
  description = "Identifier of the DB instance"
  value       = aws_db_instance.this.identifier
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting storage, Performance Insights and the master user secret"
  value       = local.kms_key_arn
}
