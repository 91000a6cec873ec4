package dev.herald.domain.webhook;

import java.util.Arrays;
import java.util.Optional;

/** What a webhook can subscribe to; the wire name is what payloads and requests carry. */
public enum Trigger {
  BOT_STATE_CHANGE("bot.state_change");

  private final String wireName;

  Trigger(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<Trigger> fromWireName(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }
}
