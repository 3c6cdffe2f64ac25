/** REST: operator and tenant catalog endpoints, draft invoices. problem+json on every error. */
package dev.tally.invoicing.api;
