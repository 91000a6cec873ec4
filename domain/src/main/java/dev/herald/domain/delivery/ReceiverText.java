package dev.herald.domain.delivery;

/**
 * What a receiver sends is data, never trusted text. An error text (which may quote a status line
 * the receiver wrote) loses its control characters and is capped, so that it can neither break a
 * log line nor be refused by the database; a response body keeps its line breaks, which are part of
 * it, and loses only what a text column cannot hold.
 */
public final class ReceiverText {
  /** Longest error text kept, in characters. */
  public static final int ERROR_CHARACTERS = 256;

  private ReceiverText() {}

  /** One line of printable text of at most {@link #ERROR_CHARACTERS}, control characters as '?'. */
  public static String error(String text) {
    StringBuilder kept = new StringBuilder(Math.min(text.length(), ERROR_CHARACTERS));
    for (int i = 0; i < text.length() && kept.length() < ERROR_CHARACTERS; i++) {
      char c = text.charAt(i);
      kept.append(isControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    if (kept.length() == ERROR_CHARACTERS && text.length() > ERROR_CHARACTERS) {
      kept.setLength(ERROR_CHARACTERS - 1);
      kept.append('…');
    }
    return kept.toString();
  }

  /** The body without NULs and lone surrogates, which a PostgreSQL text column refuses. */
  public static String body(String text) {
    if (text.indexOf('\u0000') < 0
        && text.chars().noneMatch(c -> Character.isSurrogate((char) c))) {
      return text;
    }
    StringBuilder kept = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        kept.append(c).append(text.charAt(++i));
      } else if (c != '\u0000' && !Character.isSurrogate(c)) {
        kept.append(c);
      } else if (c != '\u0000') {
        kept.append('\uFFFD');
      }
    }
    return kept.toString();
  }

  /** C0 controls, DEL and C1 controls, the line and paragraph separators among them. */
  private static boolean isControl(char c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
  }
}
