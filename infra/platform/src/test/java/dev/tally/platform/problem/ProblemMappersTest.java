package dev.tally.platform.problem;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class ProblemMappersTest {
    private final ProblemMappers mappers = new ProblemMappers();

    @Test
    void aDatabaseOutOfReachIsA503ToRetryNotAnInternalError() {
        // what a transaction that cannot reach PostgreSQL throws (PgJDBC's "The connection attempt failed": state 08001)
        RuntimeException refused = new IllegalStateException("transaction failed", new SQLException("The connection attempt failed.", "08001"));
        RuntimeException reset = new RuntimeException(new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        RuntimeException pool = new RuntimeException(new SQLException("Acquisition timeout while waiting for new connection"));
        RuntimeException transientConnection = new RuntimeException(new SQLTransientConnectionException("no connection"));
        for (RuntimeException e : new RuntimeException[] {refused, reset, pool, transientConnection}) {
            Response r = mappers.unexpected(e);
            assertThat(r.getStatus()).as(e.getCause().getMessage()).isEqualTo(503);
            assertThat(r.getHeaderString("Retry-After")).isEqualTo("1");
            Problem p = (Problem) r.getEntity();
            assertThat(p.type()).endsWith("/database-unavailable");
            assertThat(p.detail()).contains("nothing was stored").doesNotContain("08001").doesNotContain("backend");
        }
    }

    @Test
    void otherSqlErrorsStayInternal() {
        Response r = mappers.unexpected(new RuntimeException(new SQLException("duplicate key value violates unique constraint", "23505")));
        assertThat(r.getStatus()).isEqualTo(500);
        assertThat(((Problem) r.getEntity()).type()).endsWith("/internal");
        assertThat(mappers.unexpected(new IllegalStateException("bug")).getStatus()).isEqualTo(500);
    }
}
