package dev.tally.system;

import dev.tally.client.rating.ApiClient;

/**
 * The client openapi-generator wrote from rating's OpenAPI document, set up as a user would: the service's address, and
 * the bearer token through the request interceptor (how the "native" library takes an HTTP bearer scheme). One class
 * per service: the three generated ApiClients share their simple name.
 */
final class RatingClient extends ApiClient {
    RatingClient(String baseUri, String token) {
        updateBaseUri(baseUri);
        setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
    }
}
