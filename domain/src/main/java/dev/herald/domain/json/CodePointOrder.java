package dev.herald.domain.json;

import java.util.Comparator;

/**
 * Orders strings by Unicode code point, as Python's {@code sorted} does. {@link String#compareTo}
 * compares UTF-16 units instead, which puts characters beyond U+FFFF (emoji) before U+E000..U+FFFF
 * and would make Herald's key order differ from a receiver's {@code sort_keys=True}.
 */
final class CodePointOrder implements Comparator<String> {
  static final CodePointOrder INSTANCE = new CodePointOrder();

  private CodePointOrder() {}

  @Override
  public int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }
}
