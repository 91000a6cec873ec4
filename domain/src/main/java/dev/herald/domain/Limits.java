package dev.herald.domain;

/** Sizes Herald accepts from its callers; each one bounds what a request can make it store. */
public final class Limits {
  public static final int ID_LENGTH = 128;
  public static final int STATE_LENGTH = 128;
  public static final int URL_LENGTH = 2048;
  public static final int TRIGGERS = 16;
  public static final int BOT_METADATA_BYTES = 64 * 1024;
  public static final int BOT_METADATA_DEPTH = 16;
  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 200;

  private Limits() {}
}
