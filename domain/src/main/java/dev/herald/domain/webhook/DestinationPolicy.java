package dev.herald.domain.webhook;

import java.net.URI;
import java.util.Optional;

/** Decides whether Herald may send requests to a URL's host at all (no private networks). */
public interface DestinationPolicy {

  /** Why requests to this URL are refused, or empty when they are allowed. */
  Optional<String> refusal(URI url);
}
