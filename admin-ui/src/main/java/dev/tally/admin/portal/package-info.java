/**
 * The customer portal: pages an end customer opens from a portal session URL (issued to the tenant's backend by
 * invoicing), reading only what that session may read, with the session's token and nothing else. Owns no data.
 */
package dev.tally.admin.portal;
