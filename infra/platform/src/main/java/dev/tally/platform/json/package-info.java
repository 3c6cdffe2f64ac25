/** Tally's JSON: decimals never through {@code double}, written as strings; strict reading of request bodies. */
package dev.tally.platform.json;
