package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.proto.v1.CreateApiKeyRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
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
 * The console in a real headless Chromium against the production server: sign in, webhooks, a bot's
 * deliveries, one delivery, resend, a test event, the signing secret, a read-only key, hostile data
 * and a refused key. Screenshots go to {@code target/console-screenshots}.
 *
 * <p>Past 250 lines as one class because the cases are one operator's session, in order, in one
 * browser against one server started once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
  private static final String PROJECT = "proj-console";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String HOSTILE =
      "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">"
          + "<a href=\"javascript:window.pwned=3\">click</a>";

  private static HeraldFixture herald;
  private static Receiver receiver;
  private static WebDriver browser;

  @BeforeAll
  static void start() {
    herald = HeraldFixture.start();
    receiver = Receiver.http();
    browser = new ChromeDriver(service(), options());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    receiver.close();
    herald.close();
  }

  @BeforeEach
  void signedOut() {
    browser.get(console(""));
    ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
    browser.get(console("#/signin"));
  }

  @Test
  @Order(1)
  void aKeyHeraldDoesNotKnowIsRefused() throws IOException {
    signIn("hrld_a-made-up-token-no-key-has-00000000000", PROJECT);
    WebElement error = waitFor(By.id("error"));
    waitUntil(() -> error.getText().contains("unauthenticated"));
    assertTrue(browser.findElement(By.id("nav")).getAttribute("hidden") != null, "not signed in");
    screenshot("refused-key");
  }

  @Test
  @Order(2)
  void anAdminCreatesAWebhookFollowsABotResendsAndRotates() throws IOException {
    signIn(HeraldFixture.ADMIN_TOKEN, PROJECT);
    waitFor(By.id("create-webhook"));
    browser.findElement(By.id("new-url")).sendKeys(receiver.url("/console"));
    browser.findElement(By.id("new-ordered")).click();
    browser.findElement(By.id("new-rate")).sendKeys("20");
    browser.findElement(By.cssSelector("#create-webhook button")).click();
    waitUntil(() -> text(By.cssSelector(".webhook-url")).equals(receiver.url("/console")));
    assertEquals(
        "ordered per bot, at most 20 requests/s", text(By.cssSelector(".webhook-controls")));
    screenshot("webhooks");

    herald.ingestion().ingestStateChange(Requests.stateChange(PROJECT, "bot-console").build());
    browser.get(console("#/bots"));
    browser.findElement(By.id("bot-id")).sendKeys("bot-console");
    browser.findElement(By.cssSelector("#find-bot button")).click();
    waitUntil(() -> text(By.cssSelector("[data-status]")).equals("succeeded"));
    screenshot("bot-deliveries");

    browser.findElement(By.cssSelector("[data-delivery] a")).click();
    waitUntil(() -> !browser.findElements(By.cssSelector("tr.attempt")).isEmpty());
    assertTrue(text(By.id("payload-pretty")).contains("\"bot_id\": \"bot-console\""));
    assertTrue(text(By.id("headers")).contains("webhook-id: "));
    browser.findElement(By.cssSelector("button.resend")).click();
    waitUntil(() -> browser.findElements(By.cssSelector("tr.attempt")).size() == 2);
    assertEquals(2, receiver.requests("/console").size(), "attempt 2 reached the receiver");
    screenshot("delivery");

    browser.get(console("#/webhooks"));
    waitFor(By.cssSelector("button.send-test")).click();
    waitUntil(() -> browser.getCurrentUrl().contains("#/deliveries/"));
    waitUntil(() -> text(By.cssSelector("h1 [data-status]")).equals("succeeded"));
    assertTrue(text(By.id("payload-pretty")).contains("\"trigger\": \"webhook.test\""));

    browser.get(console("#/secret"));
    waitFor(By.id("reveal")).click();
    assertFalse(text(By.id("secret-value")).contains("•"), "revealed");
    String before = text(By.id("secret-id"));
    browser.findElement(By.cssSelector("#rotate button")).click();
    waitUntil(() -> !text(By.id("secret-id")).equals(before));
    assertTrue(pageHas("1 previous key(s) still signing."));
    assertEquals("v1", text(By.id("schemes")));
    assertTrue(text(By.id("public-key")).startsWith("whpk_"));
    screenshot("secret");
  }

  @Test
  @Order(3)
  void aReadOnlyKeySeesNoSecretAndNoAction() throws IOException {
    String token =
        herald
            .apiKeys()
            .createApiKey(
                CreateApiKeyRequest.newBuilder()
                    .setProjectId(PROJECT)
                    .addRoles("read")
                    .setName("viewer")
                    .build())
            .getToken();
    herald.ingestion().ingestStateChange(Requests.stateChange(PROJECT, "bot-read").build());
    signIn(token, PROJECT);
    waitFor(By.cssSelector(".webhook-url"));
    assertTrue(text(By.id("who")).contains("read-only"));
    assertFalse(browser.findElement(By.cssSelector("a[href='#/secret']")).isDisplayed());
    assertFalse(browser.findElement(By.cssSelector("a[href='#/keys']")).isDisplayed());
    assertFalse(browser.findElement(By.id("create-webhook")).isDisplayed());
    browser.get(console("#/bots/bot-read"));
    waitFor(By.cssSelector("[data-delivery]"));
    assertTrue(
        browser.findElements(By.cssSelector("button.resend")).stream()
            .noneMatch(WebElement::isDisplayed),
        "no Resend for a read-only key");
    screenshot("read-only");
  }

  @Test
  @Order(4)
  void hostileMetadataAndResponsesAreShownAsTextAndNeverRun() throws IOException {
    receiver.on("/hostile", i -> Receiver.Reply.status(500, HOSTILE));
    herald.webhooks().createWebhook(Requests.webhook("proj-hostile", receiver.url("/hostile")));
    herald
        .ingestion()
        .ingestStateChange(
            Requests.stateChange("proj-hostile", "bot-hostile")
                .setBotMetadata(
                    Struct.newBuilder()
                        .putFields("name", Value.newBuilder().setStringValue(HOSTILE).build()))
                .build());
    signIn(HeraldFixture.ADMIN_TOKEN, "proj-hostile");
    waitFor(By.id("sign-out"));
    browser.get(console("#/bots/bot-hostile"));
    waitFor(By.cssSelector("[data-delivery] a")).click();
    waitUntil(
        () ->
            browser.findElements(By.cssSelector(".response-body")).stream()
                .anyMatch(e -> e.getText().equals(HOSTILE)));
    assertTrue(pageHas("window.pwned=1"), "the metadata is visible as written");
    assertEquals(
        Boolean.TRUE,
        ((JavascriptExecutor) browser).executeScript("return window.pwned === undefined"),
        "nothing the data holds ran");
    assertTrue(browser.findElements(By.cssSelector("main img, main script")).isEmpty());
    screenshot("hostile");
  }

  @Test
  @Order(5)
  void anAdminMakesAKeySeesItsTokenOnceAndRevokesIt() throws IOException {
    signIn(HeraldFixture.ADMIN_TOKEN, PROJECT);
    waitFor(By.id("sign-out"));
    browser.get(console("#/keys"));
    waitFor(By.id("key-name")).sendKeys("deploy bot");
    browser.findElement(By.cssSelector("#create-key button")).click();
    WebElement token = waitFor(By.id("new-token"));
    assertTrue(token.getText().startsWith("Token, shown this once: hrld_"), token.getText());
    WebElement row =
        browser.findElements(By.cssSelector("[data-key]")).stream()
            .filter(r -> r.getText().contains("deploy bot"))
            .findFirst()
            .orElseThrow();
    assertFalse(row.getText().contains(token.getText().substring(25)), "listed by prefix only");
    String keyId = row.getAttribute("data-key");
    row.findElement(By.cssSelector("button.revoke")).click();
    waitUntil(
        () ->
            browser
                .findElement(By.cssSelector("[data-key='" + keyId + "']"))
                .getText()
                .contains("revoked"));
    screenshot("api-keys");
  }

  @Test
  @Order(6)
  void aPageStillLoadingWhenTheUserSignsOutIsNotShownOverTheSignIn() {
    signIn(HeraldFixture.ADMIN_TOKEN, PROJECT);
    waitFor(By.id("create-webhook"));
    // Herald's answers reach the page a second late. Once an answer's body has been read and
    // everything waiting on it has run, the page counts it in lateAnswers.
    ((JavascriptExecutor) browser)
        .executeScript(
            "const answer = window.fetch;"
                + "window.fetch = (...request) => answer(...request).then(response =>"
                + "  new Promise(done => setTimeout(() => {"
                + "    const read = response.json.bind(response);"
                + "    response.json = () => read().then(body => {"
                + "      setTimeout(() => { window.lateAnswers = (window.lateAnswers || 0) + 1; });"
                + "      return body;"
                + "    });"
                + "    done(response);"
                + "  }, 1000)));");
    browser.get(console("#/secret"));
    browser.findElement(By.id("sign-out")).click();
    waitUntil(
        () ->
            Long.valueOf(1)
                .equals(((JavascriptExecutor) browser).executeScript("return window.lateAnswers")));
    assertTrue(browser.findElement(By.id("api-key")).isDisplayed(), "the sign-in form stays");
    assertFalse(pageHas("Signing secret of"), "the page left behind is not shown");
  }

  @Test
  @Order(7)
  void thePageIsServedWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(console(""))).build(),
                HttpResponse.BodyHandlers.ofString());
    String policy = page.headers().firstValue("content-security-policy").orElse("");
    assertTrue(policy.contains("script-src 'self'"), policy);
    assertTrue(policy.contains("frame-ancestors 'none'"), policy);
    assertFalse(policy.contains("unsafe-inline") || policy.contains("unsafe-eval"), policy);
    assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElse(""));
    assertFalse(page.body().contains("<script>"), "no inline script");
  }

  private static void signIn(String key, String project) {
    browser.get(console("#/signin"));
    waitFor(By.id("api-key")).sendKeys(key);
    browser.findElement(By.id("project")).sendKeys(project);
    browser.findElement(By.cssSelector("#sign-in button")).click();
  }

  private static String console(String fragment) {
    return "http://localhost:" + herald.httpPort() + "/" + fragment;
  }

  private static WebElement waitFor(By locator) {
    return new WebDriverWait(browser, WAIT)
        .until(ExpectedConditions.visibilityOfElementLocated(locator));
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(browser, WAIT)
        .ignoring(org.openqa.selenium.NoSuchElementException.class)
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .until(driver -> condition.getAsBoolean());
  }

  private static String text(By locator) {
    return browser.findElement(locator).getText();
  }

  private static boolean pageHas(String text) {
    return browser.findElement(By.tagName("body")).getText().contains(text);
  }

  private static void screenshot(String name) throws IOException {
    Path directory =
        Path.of(System.getProperty("herald.screenshots.dir", "target/console-screenshots"));
    Files.createDirectories(directory);
    Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, directory.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  /** Debian's chromedriver, found on the PATH: Selenium must not try to download one. */
  private static ChromeDriverService service() {
    Path driver =
        executable("chromedriver")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "chromedriver is not installed: apt-get install -y chromium"
                            + " chromium-driver (see the README)"));
    return new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile()).build();
  }

  private static ChromeOptions options() {
    ChromeOptions options = new ChromeOptions();
    executable("chromium").ifPresent(binary -> options.setBinary(binary.toFile()));
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
    return options;
  }

  private static Optional<Path> executable(String name) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .map(directory -> Path.of(directory, name))
        .filter(Files::isExecutable)
        .findFirst();
  }
}
