package dev.tally.ingest.api;

import java.util.List;

/**
 * One outcome per event, in request order: {@code accepted}, {@code duplicate} (already accepted
 * before, or earlier in this request — nothing changes) or {@code rejected} with a stable code and
 * the offending field.
 */
public record EventsResponse(int accepted, int duplicates, int rejected, List<Result> results) {
    public record Result(String id, IngestOutcome outcome, String code, String field, String message) {
    }
}
