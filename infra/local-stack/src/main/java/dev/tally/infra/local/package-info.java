/** The local stack: real PostgreSQL and real Kafka as child processes, for ./tally and for tests. */
package dev.tally.infra.local;
