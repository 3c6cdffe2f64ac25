/** Finance's read-only endpoints: {@code /v1/finance/revenue}, {@code /v1/finance/revenue/meters}, {@code /v1/finance/usage}. */
package dev.tally.invoicing.finance.api;
