package dev.herald.domain.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/** API key tokens: {@code hrld_} and 32 random bytes in URL-safe base64, stored as SHA-256. */
public final class ApiTokens {
  public static final String PREFIX = "hrld_";
  static final int RANDOM_BYTES = 32;

  /** Enough of the token to tell keys apart in a listing, far too little to guess the rest. */
  static final int SHOWN_CHARACTERS = PREFIX.length() + 6;

  /** A configured token must be at least this long, so it is no easier to guess than ours. */
  public static final int MIN_CONFIGURED_LENGTH = 32;

  private ApiTokens() {}

  static String generate(SecureRandom random) {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  static String shownPart(String token) {
    return token.substring(0, Math.min(SHOWN_CHARACTERS, token.length()));
  }
}
