package dev.tally.bench;

import java.util.concurrent.atomic.LongAdder;

/** What the senders of one ingest load phase counted, added up across them. */
final class SendCounts {
    final LongAdder sent = new LongAdder();
    final LongAdder duplicatesSent = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder failures = new LongAdder();
}
