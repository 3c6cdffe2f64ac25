/** Tax rates by tax region and the provider SPI invoicing asks for them. */
package dev.tally.invoicing.tax;
