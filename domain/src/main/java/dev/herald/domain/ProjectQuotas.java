package dev.herald.domain;

/**
 * What one project may have at once, so that no tenant can take what the others need.
 *
 * @param webhooks webhooks not deleted; this also bounds an event's fan-out
 * @param signingKeys keys signing at once, the current one and those still in their overlap: every
 *     attempt computes one signature per key
 */
public record ProjectQuotas(int webhooks, int signingKeys) {
  public static final int DEFAULT_WEBHOOKS = 100;
  public static final int DEFAULT_SIGNING_KEYS = 3;

  public ProjectQuotas {
    if (webhooks < 1) {
      throw new IllegalArgumentException("a project may have at least one webhook");
    }
    if (signingKeys < 2) {
      throw new IllegalArgumentException("a rotation needs two keys signing at once");
    }
  }

  public static ProjectQuotas defaults() {
    return new ProjectQuotas(DEFAULT_WEBHOOKS, DEFAULT_SIGNING_KEYS);
  }
}
