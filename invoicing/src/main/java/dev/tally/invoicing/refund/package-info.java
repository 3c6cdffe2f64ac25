/** Credit notes and the refunds and credits they settle to, with four-eyes approval above a tenant's threshold. */
package dev.tally.invoicing.refund;
