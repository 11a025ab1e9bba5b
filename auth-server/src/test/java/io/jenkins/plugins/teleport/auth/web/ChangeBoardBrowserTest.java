package io.jenkins.plugins.teleport.auth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jenkins.plugins.teleport.api.User;
import io.jenkins.plugins.teleport.auth.testing.Tools;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The change board's pages in a real browser: Debian's Chromium, headless, driven by Selenium through chromedriver,
 * against a real auth server on a loopback port. Skipped with a message where Chromium or chromedriver is missing
 * (failing under {@code CI=true}; {@code .ci/run} installs both). The browser trusts the server's certificate for
 * this test only ({@code acceptInsecureCerts}): the certificate is signed by the cluster's CA, which this browser
 * profile does not know (docs/web.md says what a deployment needs).
 */
class ChangeBoardBrowserTest {

    @TempDir
    static Path dir;

    static ChangeBoard board;
    static WebDriver browser;
    static byte[] aliceKey;
    static byte[] carolKey;
    /** Dave, a second member of the change board besides carol, enrolled through the pages before the browser starts. */
    static byte[] daveKey;

    @BeforeAll
    static void start() throws Exception {
        String chromium = Tools.require("chromium", "chromium");
        String chromedriver = Tools.require("chromedriver", "chromium-driver");
        board = ChangeBoard.start(dir.resolve("server"));
        aliceKey = board.enrol(board.browser(), "alice");
        carolKey = board.enrol(board.browser(), "carol");
        board.cluster.apply(User.of("dave", List.of("cab")));
        daveKey = board.enrol(board.browser(), "dave");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        // As root the sandbox cannot start; without the background-networking flags Chromium tries to reach the
        // network on its own, which this machine refuses.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1500", "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
        options.setAcceptInsecureCerts(true);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (board != null) {
            board.close();
        }
    }

    @BeforeEach
    void signedOut() {
        if (browser.getCurrentUrl().startsWith("https://")) {
            browser.manage().deleteAllCookies();
        }
    }

    @Test
    void aPersonInvitedByTctlSignsInWithPasswordAndAuthenticatorCode() {
        String link = board.invite("bob", false);
        open(link);
        assertTrue(browser.findElement(By.cssSelector("svg.qr")).isDisplayed(), "the QR code is shown");
        byte[] key = Base32.decode(browser.findElement(By.id("totp-key")).getText());
        browser.findElement(By.id("password")).sendKeys(ChangeBoard.PASSWORD);
        browser.findElement(By.id("confirm")).sendKeys(ChangeBoard.PASSWORD);
        browser.findElement(By.id("code")).sendKeys(board.code(key));
        browser.findElement(By.id("enrol-button")).click();
        waitForHeading("Waiting for my review");
        assertFalse(browser.getCurrentUrl().contains(link.substring(link.lastIndexOf('/') + 1)), "the link's token left the address");
        assertEquals("", ((JavascriptExecutor) browser).executeScript("return document.cookie"),
                "the session cookie is HttpOnly: no script can read it");

        browser.findElement(By.cssSelector("header form button")).click();
        waitFor(By.id("notice"), "You are signed out.");
        signIn("bob", key);
        waitForHeading("Waiting for my review");
        assertTrue(browser.findElement(By.cssSelector("header .who")).getText().contains("bob"));
    }

    @Test
    void aReviewInTheBrowserResolvesTheRequest() throws Exception {
        String id = board.request("CHG-1234: deploy release 42", "deploy/production", "main");
        PageClient carol = board.signedIn("carol", carolKey);
        PageClient.Page page = carol.get("/web/requests/" + id);
        assertEquals(303, carol.post("/web/requests/" + id + "/reviews", Map.of("csrf", page.field("csrf"), "verdict", "APPROVED",
                "reason", "CAB ok")).status());

        signIn("dave", daveKey);
        waitForHeading("Waiting for my review");
        WebElement row = browser.findElement(By.cssSelector("a[href='/web/requests/" + id + "']"));
        assertTrue(browser.findElement(By.id("waiting")).getText().contains("cab: 1 of 2 approvals"));
        row.click();
        waitForHeading("Access request for bot jenkins-deploy");
        assertEquals("PENDING", browser.findElement(By.id("state")).getText());
        assertEquals("job deploy/production, branch main", browser.findElement(By.id("restriction")).getText());
        browser.findElement(By.id("review-reason")).sendKeys("CAB ok too");
        screenshot("review-page.png");
        browser.findElement(By.id("approve")).click();
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.id("state"), "APPROVED"));
        assertTrue(browser.findElement(By.id("progress")).getText().startsWith("approved by carol, dave"));
        assertTrue(browser.findElement(By.id("reviews")).getText().contains("CAB ok too"));
        assertEquals("APPROVED", board.cluster.user("alice").get("/v1/access-requests/" + id).json().path("status").path("state").asText());
    }

    @Test
    void aLinkOnAJenkinsBuildPageOpensTheRequestForASignedInReviewer() {
        String id = board.request("CHG-5: the build page's link");
        signIn("dave", daveKey);
        waitForHeading("Waiting for my review");
        String link = board.base() + "/web/requests/" + id;
        // Another site's page (as Jenkins is): the browser keeps the SameSite=Strict cookie off the click's navigation.
        browser.get("data:text/html,<a id=go href='" + link + "'>the request on the auth server</a>");
        browser.findElement(By.id("go")).click();
        waitForHeading("Access request for bot jenkins-deploy");
        assertEquals(link, browser.getCurrentUrl());
        assertTrue(browser.findElement(By.id("review")).isDisplayed(), "signed in: dave may review it from here");
    }

    @Test
    void aSelfReviewIsRefusedWithAMessage() {
        String id = board.request("CHG-2: alice's own");
        signIn("alice", aliceKey);
        waitForHeading("Waiting for my review");
        open("/web/requests/" + id);
        String why = browser.findElement(By.id("not-reviewable")).getText();
        assertTrue(why.contains("cannot review it: another reviewer must"), why);
        assertTrue(browser.findElements(By.id("review")).isEmpty(), "no review form for the author");
        // Alice builds the form herself, with her page's valid CSRF token: the service refuses all the same.
        ((JavascriptExecutor) browser).executeScript("var f = document.createElement('form'); f.method = 'post';"
                + "f.action = '/web/requests/" + id + "/reviews';"
                + "f.innerHTML = '<input name=\"verdict\" value=\"APPROVED\"><input name=\"reason\" value=\"mine\">';"
                + "var t = document.querySelector('input[name=csrf]').cloneNode(); f.appendChild(t);"
                + "document.body.appendChild(f); f.submit();");
        String notice = waitFor(By.id("notice"), "cannot review it");
        assertTrue(notice.contains("created request " + id + " and cannot review it: another reviewer must"), notice);
        assertEquals(0, board.cluster.admin().get("/v1/access-requests/" + id).json().path("spec").path("reviews").size());
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRefused() throws Exception {
        String id = board.request("CHG-3: csrf");
        signIn("dave", daveKey);
        waitForHeading("Waiting for my review");
        open("/web/requests/" + id);
        ((JavascriptExecutor) browser).executeScript("document.querySelector('#review input[name=csrf]').remove()");
        browser.findElement(By.id("approve")).click();
        String refused = waitFor(By.cssSelector(".notice.error"), "CSRF");
        assertTrue(refused.contains("the form's CSRF token is missing or wrong"), refused);
        assertEquals(0, board.cluster.admin().get("/v1/access-requests/" + id).json().path("spec").path("reviews").size(),
                "nothing was reviewed");
    }

    @Test
    void aReasonWithMarkupIsShownAsText() throws Exception {
        String reason = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> CHG-4";
        String id = board.request(reason);
        signIn("dave", daveKey);
        waitForHeading("Waiting for my review");
        open("/web/requests/" + id);
        assertEquals(reason, browser.findElement(By.id("reason")).getText(), "the reason shows as the text it is");
        assertNull(((JavascriptExecutor) browser).executeScript("return window.pwned"), "nothing in it ran");
        assertTrue(browser.findElements(By.cssSelector("#reason img, #reason script")).isEmpty(), "no element was made of it");
        // The page's own script (a file of this server, which the CSP allows) did run: it titles times in local time.
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(ExpectedConditions.attributeToBeNotEmpty(
                browser.findElement(By.cssSelector("time")), "title"));
    }

    private static void signIn(String user, byte[] key) {
        open("/web/login");
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(ChangeBoard.PASSWORD);
        browser.findElement(By.id("code")).sendKeys(board.freshCode(key));
        browser.findElement(By.id("sign-in-button")).click();
    }

    private static void open(String path) {
        browser.get(board.base() + path);
    }

    private static void waitForHeading(String text) {
        try {
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBe(By.tagName("h1"), text));
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError("expected the page '" + text + "' at " + browser.getCurrentUrl() + ", got:\n"
                    + browser.findElement(By.tagName("body")).getText(), e);
        }
    }

    private static String waitFor(By element, String containing) {
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(ExpectedConditions.textToBePresentInElementLocated(element, containing));
        return browser.findElement(element).getText();
    }

    /** Saves a screenshot under target/screenshots (docs/ has a copy). */
    private static void screenshot(String name) throws Exception {
        Path out = Files.createDirectories(Path.of("target", "screenshots")).resolve(name);
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(out) > 10_000, "a real picture: " + Files.size(out) + " bytes");
    }

}
