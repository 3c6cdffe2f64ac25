/**
 * Plans as data: the versioned document form of a plan ({@link PlanSpec}, JSON schema
 * {@code plan-v1.schema.json} beside it), validated as a whole with every problem named by its
 * path, and turned into price models. Adapters parse JSON into these records; nothing here parses.
 */
package dev.tally.model.plan;
