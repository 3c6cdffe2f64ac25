/** The one clock of a service (injected; the house rules refuse reading the wall clock elsewhere). */
package dev.tally.platform.time;
