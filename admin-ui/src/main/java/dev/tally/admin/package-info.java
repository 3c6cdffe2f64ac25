/** Admin UI: the operator's page and the small backend-for-frontend it reads, kept apart from the services it watches. */
package dev.tally.admin;
