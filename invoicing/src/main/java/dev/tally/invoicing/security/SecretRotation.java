package dev.tally.invoicing.security;

import dev.tally.invoicing.payment.PaymentProviders;
import dev.tally.invoicing.webhook.Webhooks;
import dev.tally.platform.security.SecretBox;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Moves every stored secret to the current key: a plaintext from before encryption is sealed, a value wrapped by an
 * older key gets its data key wrapped by the current one (the ciphertext stays). Each value is replaced only if it is
 * still the one read (compare-and-set), so several instances may run it at once. Scheduled
 * ({@code tally.secrets.rotate-every}) and on demand ({@code POST /v1/admin/secrets/rotate}); once it reports nothing
 * left on an old key, that key can leave {@code tally.secrets.keys}.
 */
@ApplicationScoped
public class SecretRotation {
    private static final Logger LOG = Logger.getLogger(SecretRotation.class);

    @Inject
    DataSource dataSource;
    @Inject
    SecretsAtRest secrets;

    /** What one run did: the current key, values sealed from plaintext, values moved from an older key. */
    public record Result(String currentKid, List<String> heldKids, int sealed, int rewrapped) {
    }

    /** A column of secrets: its table, column, the row's key columns, and the context each value is bound to. */
    private record Column(String table, String column, String keys, Function<ResultSet, String> context) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("payment_provider", "api_key", "tenant_id", rs -> PaymentProviders.apiKeyContext(string(rs, 1))),
            new Column("payment_provider", "webhook_secret", "tenant_id", rs -> PaymentProviders.webhookSecretContext(string(rs, 1))),
            new Column("webhook_endpoint", "secret", "tenant_id, endpoint_id", rs -> Webhooks.secretContext(string(rs, 1), string(rs, 2))));

    @Scheduled(every = "${tally.secrets.rotate-every:10m}", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            Result r = rotate();
            if (r.sealed() + r.rewrapped() > 0) {
                LOG.infof("secrets at rest: %d sealed, %d moved to key %s", r.sealed(), r.rewrapped(), r.currentKid());
            }
        } catch (RuntimeException | SQLException e) {
            LOG.warnf("secrets at rest: rotation did not run: %s", e.getMessage()); // never a value or a key
        }
    }

    public Result rotate() throws SQLException {
        SecretBox box = secrets.box();
        String current = SecretBox.PREFIX + box.currentKid() + ":%";
        int sealed = 0;
        int rewrapped = 0;
        try (Connection c = dataSource.getConnection()) {
            for (Column col : COLUMNS) {
                List<String[]> todo = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("select " + col.keys() + ", " + col.column() + " from " + col.table() + " where "
                        + col.column() + " is not null and " + col.column() + " not like ?")) {
                    ps.setString(1, current);
                    try (ResultSet rs = ps.executeQuery()) {
                        int n = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            String value = rs.getString(n);
                            String moved = box.rewrap(value, col.context().apply(rs));
                            todo.add(n == 2 ? new String[] {value, moved, rs.getString(1)} : new String[] {value, moved, rs.getString(1), rs.getString(2)});
                        }
                    }
                }
                for (String[] t : todo) {
                    String where = col.keys().contains("endpoint_id") ? "tenant_id = ? and endpoint_id = ?" : "tenant_id = ?";
                    try (PreparedStatement ps = c.prepareStatement("update " + col.table() + " set " + col.column() + " = ? where " + where + " and "
                            + col.column() + " = ?")) {
                        ps.setString(1, t[1]);
                        ps.setString(2, t[2]);
                        if (t.length == 4) {
                            ps.setString(3, t[3]);
                        }
                        ps.setString(t.length == 4 ? 4 : 3, t[0]);
                        if (ps.executeUpdate() == 1) {
                            if (t[0].startsWith(SecretBox.PREFIX)) {
                                rewrapped++;
                            } else {
                                sealed++;
                            }
                        }
                    }
                }
            }
        }
        return new Result(box.currentKid(), box.kids(), sealed, rewrapped);
    }

    private static String string(ResultSet rs, int i) {
        try {
            return rs.getString(i);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
