package dev.tally.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** What the database allows: for the closed-set tests, which compare a check constraint with the enum that mirrors it. */
public final class CheckConstraints {
    private CheckConstraints() {
    }

    /** The values a {@code column in (…)} check constraint of {@code table} allows, as PostgreSQL states it. */
    public static List<String> allowed(DataSource dataSource, String table, String column) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                select pg_get_constraintdef(oid) from pg_constraint where conrelid = ?::regclass and contype = 'c'""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String def = rs.getString(1);
                    if (def.startsWith("CHECK ((" + column + " = ANY")) {
                        List<String> out = new ArrayList<>();
                        Matcher m = Pattern.compile("'([^']*)'::text").matcher(def);
                        while (m.find()) {
                            out.add(m.group(1));
                        }
                        return out;
                    }
                }
            }
        }
        throw new AssertionError("no check constraint on " + table + "." + column);
    }
}
