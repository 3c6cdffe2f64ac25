/**
 * Kafka message schemas, versioned by name ({@code …V1}); the only copy. Wire format is JSON with
 * decimals as strings (services configure their codec once, in the platform module). JSON, not
 * Protobuf, for now: operators read these topics with kafka-console-consumer when numbers don't add
 * up, schemas evolve by adding fields, and no code generator enters the build. docs/api.md lists
 * every field; a breaking change is a new {@code V2} record on a new schema header value.
 */
package dev.tally.model.messages;
