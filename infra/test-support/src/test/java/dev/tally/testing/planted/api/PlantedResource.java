package dev.tally.testing.planted.api;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** A planted violation: a resource that runs SQL itself. */
public class PlantedResource {
    public int count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from invoice")) {
            return ps.executeQuery().next() ? 1 : 0;
        }
    }
}
