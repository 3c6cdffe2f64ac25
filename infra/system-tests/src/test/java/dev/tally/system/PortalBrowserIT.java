package dev.tally.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.sun.net.httpserver.HttpServer;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The customer portal in a real browser (Debian's Chromium, headless) against the packaged services on the real stack:
 * the customer opens the session URL the tenant's backend got, sees the usage chart and the cost so far equal to the
 * API's draft, opens last month's invoice, reads a line's explanation and downloads the events behind it — the CSV adds
 * up to the line's quantity. An expired or tampered link, another customer's invoice and a tenant key get nothing; a page
 * on the tenant's allowed origin can frame the portal, and no other origin can. Screenshots in docs/images/portal-*.png.
 */
class PortalBrowserIT {
    private static final String OPERATOR = "portal-test-operator-" + UUID.randomUUID();
    private static final String LOGO = logo();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ServiceProcess ingest;
    private static ServiceProcess rating;
    private static ServiceProcess invoicing;
    private static ServiceProcess console;
    private static String adminKey;
    private static String invoiceId;
    private static String otherInvoiceId;

    private WebDriver browser;
    private Path profile;

    @BeforeAll
    static void start() throws Exception {
        assertThat(HeadlessChromium.installed()).as("Debian's chromium and chromium-driver are installed (./tally test and .ci/run install them)")
                .isTrue();
        Map<String, String> env = ServiceProcess.platformEnv(OPERATOR);
        env.put("TALLY_PORTAL_SECRET", "portal-it-" + UUID.randomUUID());
        ingest = new ServiceProcess("ingest", env).start();
        rating = new ServiceProcess("rating", env).start();
        invoicing = new ServiceProcess("invoicing", env);
        console = new ServiceProcess("admin-ui", ServiceProcess.consoleEnv(env, ingest, rating, invoicing));
        invoicing.with("TALLY_PORTAL_URL", console.url() + "/portal").start(); // the sessions' URLs point at this admin-ui
        console.start();
        seed();
    }

    @AfterAll
    static void stop() throws Exception {
        for (ServiceProcess s : new ServiceProcess[] {ingest, rating, invoicing, console}) {
            if (s != null) {
                s.stop();
            }
        }
    }

    /** Two customers subscribed since last month; last month's usage invoiced for both, and some usage this month for the first. */
    private static void seed() throws Exception {
        adminKey = given().baseUri(invoicing.url()).header("Authorization", "Bearer " + OPERATOR).contentType(ContentType.JSON)
                .body("{\"name\":\"Gateway Inc\"}").post("/v1/admin/tenants").then().statusCode(201).extract().path("apiKey.key");
        asTenant().body("{\"key\":\"bandwidth\",\"eventType\":\"tunnel.bytes\",\"aggregation\":\"SUM\",\"property\":\"bytes\"}").post("/v1/meters")
                .then().statusCode(201);
        asTenant().body("""
                {"key":"gateway","name":"Gateway","currency":"USD","charges":[{"meter":"bandwidth","description":"Tunnel bandwidth",
                 "price":{"model":"graduated","tiers":[{"upTo":"1000","unitPrice":"0"},{"unitPrice":"0.01"}]}}]}""").post("/v1/plans?publish=true")
                .then().statusCode(201);
        asTenant().body("{\"accentColor\":\"#0a6e4f\",\"logoPng\":\"" + LOGO + "\"}").put("/v1/portal-settings").then().statusCode(200);
        OffsetDateTime lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC);
        for (String c : List.of("acme-portal", "other-co")) {
            asTenant().body("{\"externalId\":\"" + c + "\",\"name\":\"" + c + "\",\"plan\":\"gateway\",\"subscriptionStart\":\"" + lastMonth.toInstant() + "\"}")
                    .post("/v1/customers").then().statusCode(201);
        }
        // last month's events in its last hours: inside ingest's 35-day dedup window on any day of this month
        OffsetDateTime lastMonthEnd = lastMonth.plusMonths(1);
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 7; i++) { // 7 events of 1,000 bytes last month: 1,000 free, 6,000 × 0.01 = 60.00
            events.append(i == 0 ? "" : ",").append("{\"id\":\"p-").append(i).append("\",\"type\":\"tunnel.bytes\",\"customer\":\"acme-portal\",")
                    .append("\"timestamp\":\"").append(lastMonthEnd.minusHours(2 + i).toInstant()).append("\",\"properties\":{\"bytes\":1000}}");
        }
        events.append(",{\"id\":\"o-1\",\"type\":\"tunnel.bytes\",\"customer\":\"other-co\",\"timestamp\":\"").append(lastMonthEnd.minusHours(3).toInstant())
                .append("\",\"properties\":{\"bytes\":5000}}");
        events.append(",{\"id\":\"n-1\",\"type\":\"tunnel.bytes\",\"customer\":\"acme-portal\",\"properties\":{\"bytes\":2500}}");
        given().baseUri(ingest.url()).header("Authorization", "Bearer " + adminKey).contentType(ContentType.JSON).body("{\"events\":[" + events + "]}")
                .post("/v1/events").then().statusCode(200).body("accepted", equalTo(9));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (String c : List.of("acme-portal", "other-co")) {
            String expected = c.equals("acme-portal") ? "7000" : "5000";
            while (!expected.equals(given().baseUri(rating.url()).header("Authorization", "Bearer " + adminKey)
                    .get("/v1/customers/" + c + "/usage?from=" + lastMonth.toLocalDate() + "&to=" + lastMonth.plusMonths(1).toLocalDate()).then()
                    .extract().path("meters[0].quantity"))) {
                assertThat(System.nanoTime()).as(c + " rated").isLessThan(deadline);
                Thread.sleep(250);
            }
        }
        asTenant().body("{\"limit\":\"10000\",\"hard\":false}").put("/v1/customers/acme-portal/limits/bandwidth").then().statusCode(200);
        asTenant().body("{\"amount\":\"100.00\"}").put("/v1/customers/acme-portal/budget").then().statusCode(200);
        invoiceId = SystemRequests.closedInvoice(invoicing.url(), adminKey, "acme-portal", lastMonth.toInstant().toString()).getString("invoiceId");
        asTenant().get("/v1/invoices/" + invoiceId).then().statusCode(200).body("total", equalTo("60.00"));
        asTenant().body("{\"lines\":[{\"line\":\"line:bandwidth\",\"amount\":\"5.00\"}],\"reason\":\"outage on the 3rd\"}")
                .post("/v1/invoices/" + invoiceId + "/credit-notes").then().statusCode(201);
        otherInvoiceId = SystemRequests.closedInvoice(invoicing.url(), adminKey, "other-co", lastMonth.toInstant().toString()).getString("invoiceId");
        while (!"2500".equals(asTenant().get("/v1/customers/acme-portal/invoices/draft").then().extract().path("lines[0].quantity"))) {
            assertThat(System.nanoTime()).as("this month rated").isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @BeforeEach
    void openBrowser() throws Exception {
        profile = Files.createTempDirectory("tally-chromium");
        browser = HeadlessChromium.open(profile);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void theCustomerReadsUsageAndAnInvoiceLineAndDownloadsItsEvents() throws Exception {
        String url = session("acme-portal", "{}");
        browser.get(url);
        WebElement total = browser.findElement(By.id("draft-total"));
        String apiTotal = asTenant().get("/v1/customers/acme-portal/invoices/draft").then().statusCode(200).extract().path("total");
        assertThat(total.getAttribute("data-exact")).as("the cost so far is the API's draft").isEqualTo(apiTotal);
        assertThat(total.getText()).isEqualTo("$" + apiTotal);
        assertThat(browser.findElement(By.id("portal-tenant")).getText()).isEqualTo("Gateway Inc");
        WebElement logo = browser.findElement(By.id("portal-logo"));
        assertThat(logo.getAttribute("src")).isEqualTo("data:image/png;base64," + LOGO);
        assertThat(logo.getSize().getWidth()).as("the tenant's logo is drawn").isPositive();
        // the projection: the API's before and after the page bound the page's (the same usage projects lower as time passes)
        if (browser.findElements(By.id("projected-total")).isEmpty()) {
            assertThat(projected()).as("no projection only in the period's first day").isNull();
        } else {
            String before = projected();
            browser.navigate().refresh();
            String shown = browser.findElement(By.id("projected-total")).getAttribute("data-exact");
            String after = projected();
            assertThat(new BigDecimal(shown)).isBetween(new BigDecimal(after), new BigDecimal(before));
            assertThat(browser.findElement(By.id("projection")).getText()).contains("if usage goes on as in the period's first");
        }
        assertThat(browser.findElements(By.cssSelector("figure.usage svg rect.bar"))).as("a bar per day").isNotEmpty();
        assertThat(browser.findElement(By.cssSelector("#usage-bandwidth .usage-total")).getText()).isEqualTo("2,500");
        assertThat(browser.findElement(By.id("limit-bandwidth")).getText()).contains("2,500").contains("10,000").contains("nothing is refused");
        assertThat(browser.findElement(By.id("budget")).getText()).contains("$" + apiTotal).contains("$100.00");
        String projectedNow = projected();
        assertThat(browser.findElements(By.id("budget-warning"))).as("warned when the projection passes the budget")
                .hasSize(projectedNow != null && new BigDecimal(projectedNow).compareTo(new BigDecimal("100.00")) > 0 ? 1 : 0);
        assertThat(browser.getPageSource()).doesNotContain("other-co").doesNotContain(adminKey);
        shot("overview");

        browser.findElement(By.cssSelector("a.invoice-link")).click();
        WebElement line = browser.findElement(By.cssSelector("#lines tr.line"));
        assertThat(line.getAttribute("data-quantity")).isEqualTo("7000");
        assertThat(line.findElements(By.cssSelector("ul.steps li"))).extracting(WebElement::getText).as("the price steps in plain words")
                .containsExactly("first 1,000 free", "above 1,000: 6,000 × $0.01 = $60.00");
        assertThat(browser.findElement(By.id("invoice-total")).getText()).isEqualTo("$60.00");
        assertThat(browser.findElement(By.id("balance-due")).getText()).as("less the credit note").isEqualTo("$55.00");
        assertThat(browser.findElement(By.id("credit-notes")).getText()).contains("outage on the 3rd").contains("$5.00 off what was due");
        shot("invoice");

        // the line on its own: its days over the invoice's period and the first events behind it
        browser.findElement(By.cssSelector("a.line-link")).click();
        assertThat(browser.findElement(By.id("line-quantity")).getText()).isEqualTo("7,000");
        assertThat(browser.findElements(By.cssSelector("#line-days svg rect.bar"))).as("the invoice period's days").isNotEmpty();
        assertThat(browser.findElements(By.cssSelector("#sample tbody tr"))).hasSize(7);
        shot("line");
        browser.navigate().back();
        line = browser.findElement(By.cssSelector("#lines tr.line"));

        // every event behind the line, as CSV: the quantities add up to the line's
        String csv = get(browser.findElement(By.cssSelector("a.csv-link")).getAttribute("href")).body();
        List<String> rows = csv.lines().skip(1).toList();
        assertThat(rows).hasSize(7);
        BigDecimal sum = rows.stream().map(r -> new BigDecimal(r.substring(r.lastIndexOf(',') + 1))).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(sum).isEqualByComparingTo(line.getAttribute("data-quantity"));

        // in German: separators and the currency as the locale writes them
        browser.get(session("acme-portal", "{\"locale\":\"de\"}"));
        assertThat(browser.findElement(By.id("draft-total")).getText()).contains(",").contains("$");
        assertThat(browser.findElement(By.cssSelector("#usage-bandwidth .usage-total")).getText()).isEqualTo("2.500");
        shot("overview-de");
    }

    @Test
    void expiredTamperedAndForeignGetNothingAndOnlyTheTenantsOriginsFrameIt() throws Exception {
        String url = session("acme-portal", "{\"scopes\":[\"usage\",\"invoices\"]}");
        HttpResponse<String> page = get(url);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("frame-ancestors 'none'");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        // another customer's invoice through this session: not found; no download scope: no CSV
        assertThat(get(url + "/invoices/" + otherInvoiceId).statusCode()).isEqualTo(404);
        assertThat(get(url + "/invoices/" + invoiceId + "/events.csv?meter=bandwidth").statusCode()).isEqualTo(404);
        // tampered, a tenant key instead of a token, and an expired session: 401 and the page says so
        String token = url.substring(url.lastIndexOf('/') + 1);
        String base = url.substring(0, url.lastIndexOf('/') + 1);
        assertThat(get(base + token.substring(0, token.length() - 3) + "abc").statusCode()).isEqualTo(401);
        assertThat(get(base + adminKey).statusCode()).isEqualTo(401);
        String shortLived = session("acme-portal", "{\"ttlSeconds\":1}");
        Thread.sleep(2100);
        browser.get(shortLived);
        assertThat(browser.findElement(By.id("expired")).getText()).contains("expired");
        // a page of another origin cannot frame the portal; once the tenant names its own origin, that origin can (and only it)
        browser.get("data:text/html,<iframe id='f' src='" + url + "' width=600 height=400></iframe>");
        assertThat(framed(url)).as("framed by a data: page").isFalse();
        HttpServer tenantApp = framing(url);
        HttpServer stranger = framing(url);
        try {
            String tenantOrigin = "http://127.0.0.1:" + tenantApp.getAddress().getPort();
            asTenant().body("{\"frameAncestors\":[\"" + tenantOrigin + "\"],\"accentColor\":\"#0a6e4f\"}").put("/v1/portal-settings").then()
                    .statusCode(200);
            assertThat(get(url).headers().firstValue("Content-Security-Policy").orElse("")).contains("frame-ancestors " + tenantOrigin);
            browser.get(tenantOrigin + "/");
            assertThat(framed(url)).as("framed by the tenant's own origin").isTrue();
            browser.get("http://127.0.0.1:" + stranger.getAddress().getPort() + "/");
            assertThat(framed(url)).as("framed by another origin").isFalse();
        } finally {
            tenantApp.stop(0);
            stranger.stop(0);
            asTenant().body("{\"frameAncestors\":[],\"accentColor\":\"#0a6e4f\"}").put("/v1/portal-settings").then().statusCode(200);
        }
    }

    /** The API's projected total for the demo customer now, or null in the period's first day. */
    private static String projected() {
        return asTenant().get("/v1/customers/acme-portal/invoices/projection").then().statusCode(200).extract().path("projected.total");
    }

    /** A real PNG: the tenant's logo. */
    private static String logo() {
        BufferedImage image = new BufferedImage(56, 56, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRoundRect(0, 0, 56, 56, 14, 14);
        g.setColor(new Color(0xf5, 0xa6, 0x23));
        g.fillOval(8, 8, 40, 40);
        g.setColor(new Color(0x0a, 0x6e, 0x4f));
        g.fillRect(22, 14, 12, 28);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    /** Whether the page now open shows the portal inside its iframe {@code f}. */
    private boolean framed(String url) throws InterruptedException {
        Thread.sleep(1500);
        browser.switchTo().frame("f");
        try {
            return !browser.findElements(By.id("draft-total")).isEmpty();
        } finally {
            browser.switchTo().defaultContent();
        }
    }

    /** A page on a port of its own (its own origin) that frames {@code url}. */
    private static HttpServer framing(String url) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = ("<!doctype html><title>app</title><iframe id='f' src='" + url + "' width='900' height='600'></iframe>")
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        server.start();
        return server;
    }

    private static String session(String customer, String body) {
        return asTenant().body(body).post("/v1/customers/" + customer + "/portal-sessions").then().statusCode(201).extract().path("url");
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void shot(String name) throws Exception {
        HeadlessChromium.shot(browser, "portal-" + name + ".png");
    }

    private static RequestSpecification asTenant() {
        return given().baseUri(invoicing.url()).header("Authorization", "Bearer " + adminKey).contentType(ContentType.JSON);
    }
}
