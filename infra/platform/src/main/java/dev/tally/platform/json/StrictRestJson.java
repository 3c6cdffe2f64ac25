package dev.tally.platform.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.NumberDeserializers;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import jakarta.inject.Inject;
import jakarta.ws.rs.ext.ContextResolver;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * How REST bodies are read (Kafka payloads keep the lenient shared mapper, so schemas can grow by adding fields):
 * strictly — an unknown field, a duplicate key, a text with a NUL character, a number with more than 18 integer
 * digits or 20 decimals, a string over 100,000 characters, or nesting deeper than 64 is a 400 naming what is
 * wrong, never a silently ignored or truncated value, and never a 500 from the database.
 */
@Provider
public class StrictRestJson implements ContextResolver<ObjectMapper> {
    static final int MAX_STRING = 100_000;
    static final int MAX_DEPTH = 64;
    static final int MAX_INTEGER_DIGITS = 18;
    static final int MAX_SCALE = 20;

    private final ObjectMapper strict;

    @Inject
    public StrictRestJson(ObjectMapper shared) {
        ObjectMapper m = shared.copy();
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING).maxNestingDepth(MAX_DEPTH).build());
        SimpleModule guards = new SimpleModule("tally-rest-guards");
        guards.addDeserializer(String.class, new NoNulStrings());
        guards.addDeserializer(BigDecimal.class, new BoundedDecimals());
        m.registerModule(guards);
        this.strict = m;
    }

    @Override
    public ObjectMapper getContext(Class<?> type) {
        return strict;
    }

    /**
     * Text without NUL or other control characters (tab, line feed and carriage return aside) and without unpaired
     * surrogates: PostgreSQL cannot store NUL nor encode a lone surrogate, and no field needs them.
     */
    static final class NoNulStrings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = super.deserialize(p, ctxt);
            if (s != null) {
                for (int i = 0; i < s.length(); i++) {
                    char ch = s.charAt(i);
                    boolean control = ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' || ch == 0x7f;
                    boolean lone = Character.isHighSurrogate(ch) ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(++i))
                            : Character.isLowSurrogate(ch);
                    if (control || lone) {
                        throw ctxt.weirdStringException("(not shown)", String.class, "text may not contain NUL or other control characters"
                                + " or unpaired surrogates (character " + (i + 1) + ")");
                    }
                }
            }
            return s;
        }
    }

    /** Decimals within what money, prices and quantities need: at most 18 integer digits and 20 decimals. */
    static final class BoundedDecimals extends NumberDeserializers.BigDecimalDeserializer {
        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            BigDecimal d = super.deserialize(p, ctxt);
            if (d != null && (d.precision() - d.scale() > MAX_INTEGER_DIGITS || d.scale() > MAX_SCALE)) {
                throw ctxt.weirdNumberException(d, BigDecimal.class, "out of range (at most " + MAX_INTEGER_DIGITS + " digits before the"
                        + " point and " + MAX_SCALE + " after it)");
            }
            return d;
        }
    }
}
