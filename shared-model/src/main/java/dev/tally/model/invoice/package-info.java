/** Invoice computation: pure, explained, rounded once per line. */
package dev.tally.model.invoice;
