/** Usage snapshots from rating: consumed idempotently, highest version wins. */
package dev.tally.invoicing.usage;
