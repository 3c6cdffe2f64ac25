/** Money at minor-unit scale, currencies, and the one rounding point. */
package dev.tally.model.money;
