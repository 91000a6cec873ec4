package dev.herald.domain.webhook;

import java.util.Arrays;
import java.util.Optional;

/** What a delivery is about; the wire name is what payloads and requests carry. */
public enum Trigger {
  BOT_STATE_CHANGE("bot.state_change", true),
  /** Sent to one webhook on request (SendTestEvent), never subscribed to. */
  WEBHOOK_TEST("webhook.test", false);

  private final String wireName;
  private final boolean subscribable;

  Trigger(String wireName, boolean subscribable) {
    this.wireName = wireName;
    this.subscribable = subscribable;
  }

  public String wireName() {
    return wireName;
  }

  /** Whether a webhook may list it among its triggers. */
  public boolean subscribable() {
    return subscribable;
  }

  /** The trigger a webhook may subscribe to by this name. */
  public static Optional<Trigger> fromWireName(String name) {
    return Arrays.stream(values())
        .filter(Trigger::subscribable)
        .filter(t -> t.wireName.equals(name))
        .findFirst();
  }

  /** Any trigger by its name, as stored. */
  public static Optional<Trigger> storedAs(String name) {
    return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
  }
}
