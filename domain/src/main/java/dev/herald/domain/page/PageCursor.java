package dev.herald.domain.page;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a page ended: the sort key (creation time, id) of its last row. Lists continue strictly
 * after it, so rows added meanwhile neither repeat nor shift later pages. Callers see it only as an
 * opaque token.
 */
public record PageCursor(Instant time, UUID id) {
  private static final String VERSION = "1";

  /** Ours are about 80 characters; anything much longer is not worth decoding. */
  private static final int MAX_TOKEN_LENGTH = 256;

  public PageCursor {
    requireNonNull(time, "time");
    requireNonNull(id, "id");
  }

  public String encode() {
    long micros = ChronoUnit.MICROS.between(Instant.EPOCH, time);
    String raw = VERSION + ":" + micros + ":" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes a token this class made; anything else is an invalid {@code page_token}. */
  public static PageCursor decode(String token) {
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw InvalidArgumentException.of("page_token", "is not a token returned by this list");
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      String[] parts = raw.split(":", -1);
      if (parts.length != 3 || !parts[0].equals(VERSION)) {
        throw new IllegalArgumentException("unknown token layout");
      }
      Instant time = Instant.EPOCH.plus(Long.parseLong(parts[1]), ChronoUnit.MICROS);
      return new PageCursor(time, UUID.fromString(parts[2]));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw InvalidArgumentException.of("page_token", "is not a token returned by this list");
    }
  }
}
