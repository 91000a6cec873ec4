package dev.herald.domain.webhook;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.Limits;
import dev.herald.domain.Violations;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * What a webhook URL must be: absolute, with a host, https unless that rule is turned off for
 * development, without credentials or fragment, and to a destination Herald may reach.
 */
public final class WebhookUrlRules {
  private final boolean requireHttps;
  private final DestinationPolicy destinations;

  public WebhookUrlRules(boolean requireHttps, DestinationPolicy destinations) {
    this.requireHttps = requireHttps;
    this.destinations = requireNonNull(destinations, "destinations");
  }

  /** Checks {@code url}, adding what is wrong with it to {@code violations}. */
  public void check(String url, Violations violations) {
    if (url == null || url.isEmpty()) {
      violations.add("url", "is required");
      return;
    }
    if (url.length() > Limits.URL_LENGTH) {
      violations.add("url", "must be at most " + Limits.URL_LENGTH + " characters");
      return;
    }
    parse(url)
        .ifPresentOrElse(
            uri -> checkParts(uri, violations),
            () -> violations.add("url", "must be a valid absolute URL"));
  }

  private void checkParts(URI uri, Violations violations) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (requireHttps && !scheme.equals("https")) {
      violations.add("url", "must use https");
      return;
    }
    if (!scheme.equals("https") && !scheme.equals("http")) {
      violations.add("url", "must use https or http");
      return;
    }
    if (uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
      violations.add("url", "must have a host");
      return;
    }
    if (uri.getRawUserInfo() != null || uri.getRawAuthority().contains("@")) {
      violations.add("url", "must not contain credentials");
      return;
    }
    if (uri.getRawFragment() != null) {
      violations.add("url", "must not have a fragment");
      return;
    }
    // Before the host check: the policy names the address behind spellings URI cannot read.
    Optional<String> refusal = destinations.refusal(uri);
    if (refusal.isPresent()) {
      violations.add("url", refusal.get());
      return;
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      violations.add("url", "must have a valid host");
    }
  }

  private static Optional<URI> parse(String url) {
    if (url.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(url);
      return uri.isAbsolute() && !uri.isOpaque() ? Optional.of(uri) : Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.empty();
    }
  }
}
