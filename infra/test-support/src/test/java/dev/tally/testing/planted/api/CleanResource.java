package dev.tally.testing.planted.api;

import java.sql.Connection;
import java.util.function.ToIntFunction;

/** Keeps the rules: it holds a connection only to hand it to the class that owns the table. */
public class CleanResource {
    public int count(Connection c, ToIntFunction<Connection> store) {
        return store.applyAsInt(c);
    }
}
