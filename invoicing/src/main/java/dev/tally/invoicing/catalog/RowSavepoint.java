package dev.tally.invoicing.catalog;

import java.sql.Statement;
import org.hibernate.Session;

/**
 * The SQL savepoint around one row of a customer import, on the session's own connection (SQL savepoints: the pool
 * refuses JDBC rollback calls inside a JTA transaction), so that a rejected row leaves nothing behind.
 */
public final class RowSavepoint {
    private final Session session;

    private RowSavepoint(Session session) {
        this.session = session;
    }

    /** Sets the savepoint on the session's connection; the row's writes follow. */
    public static RowSavepoint set(Session session) {
        RowSavepoint s = new RowSavepoint(session);
        s.sql("savepoint import_row");
        return s;
    }

    /** Keeps the row's writes (after they were flushed). */
    public void release() {
        sql("release savepoint import_row");
    }

    /** Undoes the row's writes. */
    public void rollback() {
        sql("rollback to savepoint import_row");
    }

    private void sql(String statement) {
        session.doWork(c -> {
            try (Statement st = c.createStatement()) {
                st.execute(statement);
            }
        });
    }
}
