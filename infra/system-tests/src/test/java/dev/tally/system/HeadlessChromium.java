package dev.tally.system;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven by its chromedriver (never a downloaded browser): a fresh profile per browser, and
 * full-page screenshots into docs/images/ for the docs.
 */
final class HeadlessChromium {
    static final String CHROMIUM = System.getenv().getOrDefault("TALLY_CHROMIUM", "/usr/bin/chromium");
    static final String CHROMEDRIVER = System.getenv().getOrDefault("TALLY_CHROMEDRIVER", "/usr/bin/chromedriver");
    static final Path SHOTS = Path.of(System.getProperty("tally.root", "../..")).resolve("docs/images");

    private HeadlessChromium() {
    }

    static boolean installed() {
        return new File(CHROMEDRIVER).exists();
    }

    static WebDriver open(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1366,900",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        WebDriver browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return browser;
    }

    /** The whole page (the window made as tall as the page, at most 4,000 px) as docs/images/{@code file}. */
    static void shot(WebDriver browser, String file) throws IOException, InterruptedException {
        long height = (Long) ((JavascriptExecutor) browser).executeScript(
                "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)");
        browser.manage().window().setSize(new Dimension(1366, (int) Math.min(4000, Math.max(700, height + 140))));
        Thread.sleep(300); // the new size, laid out, before the picture
        File png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(SHOTS);
        Files.copy(png.toPath(), SHOTS.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        browser.manage().window().setSize(new Dimension(1366, 900));
    }
}
