package dev.tally.ingest.api;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.tally.model.ClosedSet;

/** What became of one sent event: {@code accepted}, {@code duplicate} (nothing changes) or {@code rejected} (with a code). */
public enum IngestOutcome implements ClosedSet {
    ACCEPTED, DUPLICATE, REJECTED;

    @JsonValue
    @Override
    public String wire() {
        return ClosedSet.super.wire();
    }
}
