package dev.herald.domain.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.Violations;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookUrlRulesTest {
  private final WebhookUrlRules httpsOnly = new WebhookUrlRules(true, url -> Optional.empty());
  private final WebhookUrlRules httpAllowed = new WebhookUrlRules(false, url -> Optional.empty());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://example.com/hook",
        "https://example.com:8443/a/b?c=d",
        "HTTPS://EXAMPLE.COM/"
      })
  void acceptsAbsoluteHttpsUrls(String url) {
    assertTrue(problems(httpsOnly, url).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "http://example.com/",
        "example.com/hook",
        "https://",
        "https:///path",
        "ftp://example.com/",
        "https://user:pass@example.com/",
        "https://example.com/#frag",
        "https://exa mple.com/",
        "https://example.com/\u00e9",
        "mailto:someone@example.com",
        "/relative"
      })
  void refusesEverythingElse(String url) {
    assertEquals(Optional.of("url"), problems(httpsOnly, url));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://localhost:8080/hook", "https://example.com/"})
  void allowsHttpWhenHttpsIsNotRequired(String url) {
    assertTrue(problems(httpAllowed, url).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://internal.example/"})
  void asksTheDestinationPolicy(String url) {
    WebhookUrlRules rules = new WebhookUrlRules(true, uri -> Optional.of("private"));
    assertEquals(Optional.of("url"), problems(rules, url));
  }

  private static Optional<String> problems(WebhookUrlRules rules, String url) {
    Violations violations = new Violations();
    rules.check(url, violations);
    try {
      violations.throwIfAny();
      return Optional.empty();
    } catch (InvalidArgumentException e) {
      return Optional.of(e.violations().get(0).field());
    }
  }
}
