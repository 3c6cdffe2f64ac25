/** Usage as rating and invoicing store it (one row per group of dimension values), read into the pricing core's input. */
package dev.tally.platform.usage;
