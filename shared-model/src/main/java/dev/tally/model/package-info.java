/**
 * Tally's pure core. Everything here is a function of its inputs: no I/O, no framework, no clock
 * reads (time is always a parameter). Rating and invoicing call into it; an ArchUnit test keeps
 * Quarkus, Jakarta, Jackson and JDBC out.
 */
package dev.tally.model;
