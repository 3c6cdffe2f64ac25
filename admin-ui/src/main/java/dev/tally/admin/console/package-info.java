/**
 * The console: signed-in sessions, CSRF, and the server-rendered pages (overview, customers, invoices, operations,
 * tenants, plans, approvals) over the services' APIs and metrics.
 */
package dev.tally.admin.console;
