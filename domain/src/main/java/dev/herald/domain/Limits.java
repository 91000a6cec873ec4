package dev.herald.domain;

/** Sizes Herald accepts from its callers; each one bounds what a request can make it store. */
public final class Limits {
  public static final int ID_LENGTH = 128;
  public static final int STATE_LENGTH = 128;
  public static final int URL_LENGTH = 2048;
  public static final int TRIGGERS = 16;

  /** Event types one webhook's filter may name. */
  public static final int EVENT_TYPES = 32;

  /** The highest per-webhook rate limit, in requests a second. */
  public static final int MAX_REQUESTS_PER_SECOND = 10_000;

  public static final int BOT_METADATA_BYTES = 64 * 1024;
  public static final int BOT_METADATA_DEPTH = 16;

  /**
   * Values (members, elements and scalars) in {@code bot_metadata}. Bounds the work of checking it:
   * formatting one subnormal double the way Python does takes up to 40 µs, and a 1 MiB request
   * holds about 95,000 of them.
   */
  public static final int BOT_METADATA_VALUES = 1024;

  /** Attempts of one delivery a read returns, the newest; {@code attempt_count} has them all. */
  public static final int ATTEMPTS_SHOWN = 25;

  /** A page of deliveries ends early once its bodies and attempts pass this many characters. */
  public static final int DELIVERY_PAGE_CHARACTERS = 1024 * 1024;

  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 200;

  private Limits() {}
}
