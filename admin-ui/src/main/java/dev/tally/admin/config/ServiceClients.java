package dev.tally.admin.config;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * How admin-ui talks to the services, the same for the console's API calls, the metrics scrape, the readiness probe and
 * the admin-token check: HTTP/1.1 (the services' plain listeners), a bounded connect, and redirects never followed (a
 * token must not travel to wherever a redirect points).
 */
public final class ServiceClients {
    private ServiceClients() {
    }

    public static HttpClient create(Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }
}
