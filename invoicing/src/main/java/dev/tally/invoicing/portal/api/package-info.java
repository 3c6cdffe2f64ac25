/** The portal's REST surface: a tenant asks for a customer's session; a session reads its own context. */
package dev.tally.invoicing.portal.api;
