package dev.tally.platform.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Carries W3C trace context through the outbox and Kafka headers, so that one trace spans
 * ingest → rating → invoicing even though every hop is asynchronous.
 */
public final class TraceContext {
    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<String> SINGLE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) ? carrier : null;
        }
    };

    private TraceContext() {
    }

    /** The traceparent of the current span, or {@code ""} when there is none. */
    public static String current() {
        return of(Context.current());
    }

    public static String of(Context context) {
        Map<String, String> carrier = new HashMap<>();
        W3C.inject(context, carrier, Map::put);
        return carrier.getOrDefault("traceparent", "");
    }

    /** A consumer span whose parent is the producer's context carried in {@code traceparent}. */
    public static Span consumerSpan(Tracer tracer, String name, String traceparent) {
        Context parent = traceparent == null || traceparent.isEmpty() ? Context.root()
                : W3C.extract(Context.root(), traceparent, SINGLE);
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
    }
}
