package dev.tally.admin.console;

import dev.tally.admin.config.AdminConfig;
import io.quarkus.qute.TemplateData;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in console users, in this instance's memory: a random session id (the HttpOnly cookie) maps to the admin
 * user's token, which never reaches the browser again after sign-in, and to the session's CSRF token. A session ends
 * at sign-out, after {@code tally.admin.session.idle-timeout} without a request, or {@code max-age} after sign-in.
 * Several admin-ui replicas need session affinity (a restart signs everyone out): the price of keeping tokens out of
 * cookies.
 */
@ApplicationScoped
public class Sessions {
    public static final String COOKIE = "tally_session";
    /** Enough for every operator of a platform; past it the oldest sessions are dropped, so memory stays bounded. */
    static final int MAX_SESSIONS = 10_000;
    /** Made when the bean is (at run time): a SecureRandom built into a native image's heap would repeat its seed. */
    private final SecureRandom random = new SecureRandom();

    @Inject
    AdminConfig config;
    @Inject
    Clock clock;

    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    /** One signed-in user. {@code token} is the admin user's (or the operator token); {@code csrf} guards its writes. */
    @TemplateData
    public static final class Session {
        final String id;
        final String token;
        final String actor;
        final String role;
        final String csrf;
        final Instant createdAt;
        /** Signed in with a Bearer header (a script, not a browser): its writes need no CSRF token. */
        final boolean bearer;
        volatile Instant lastSeen;

        Session(String id, String token, String actor, String role, String csrf, Instant now, boolean bearer) {
            this.id = id;
            this.bearer = bearer;
            this.token = token;
            this.actor = actor;
            this.role = role;
            this.csrf = csrf;
            this.createdAt = now;
            this.lastSeen = now;
        }

        public String id() {
            return id;
        }

        public String actor() {
            return actor;
        }

        public String role() {
            return role;
        }

        public String csrf() {
            return csrf;
        }

        public String token() {
            return token;
        }

        /** Whether the user's role may do {@code what} — for showing controls only; the services decide for real. */
        public boolean can(String what) {
            return switch (what) {
                case "operate" -> "operator".equals(role);
                case "credit" -> "operator".equals(role) || "finance".equals(role);
                case "approve" -> "finance".equals(role);
                default -> false;
            };
        }
    }

    public Session create(String token, String actor, String role) {
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().stream().min(Comparator.comparing(s -> s.lastSeen)).ifPresent(s -> sessions.remove(s.id));
        }
        Session s = new Session(random(), token, actor, role, random(), clock.instant(), false);
        sessions.put(s.id, s);
        return s;
    }

    /**
     * A caller authenticated by an {@code Authorization} header for this request only (a script): never stored; with
     * Basic (which a browser replays by itself, like a cookie) it has no CSRF token, so it cannot change anything.
     */
    public Session transientSession(String token, String actor, String role, boolean bearer) {
        return new Session(null, token, actor, role, null, clock.instant(), bearer);
    }

    /** The live session with this id (touching it), or empty when there is none or it expired (then it is gone). */
    public Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (now.isAfter(s.lastSeen.plus(config.session().idleTimeout())) || now.isAfter(s.createdAt.plus(config.session().maxAge()))) {
            sessions.remove(id, s);
            return Optional.empty();
        }
        s.lastSeen = now;
        return Optional.of(s);
    }

    public void end(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    private String random() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
