/** The OpenAPI documents' common parts: the bearer security scheme, the problem+json schema and error responses. */
package dev.tally.platform.openapi;
