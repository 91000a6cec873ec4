package dev.herald.domain.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A second, deliberately different implementation of the canonical form, written from the rules
 * (Python's json.dumps with sort_keys, ensure_ascii=False and compact separators) to check {@link
 * CanonicalJson} against. It shares no code with it.
 */
final class ReferenceJson {
  private ReferenceJson() {}

  static String write(JsonValue value) {
    if (value instanceof JsonValue.Null) {
      return "null";
    }
    if (value instanceof JsonValue.Bool b) {
      return String.valueOf(b.value());
    }
    if (value instanceof JsonValue.Number n) {
      return number(n.value());
    }
    if (value instanceof JsonValue.Text t) {
      return string(t.value());
    }
    if (value instanceof JsonValue.Array a) {
      return a.elements().stream()
          .map(ReferenceJson::write)
          .collect(Collectors.joining(",", "[", "]"));
    }
    Map<String, JsonValue> members = ((JsonValue.Object) value).members();
    List<String> keys =
        members.keySet().stream()
            .sorted((x, y) -> Arrays.compare(x.codePoints().toArray(), y.codePoints().toArray()))
            .toList();
    return keys.stream()
        .map(key -> string(key) + ":" + write(members.get(key)))
        .collect(Collectors.joining(",", "{", "}"));
  }

  /** Python's repr of the float, or the integer Python would parse the value back as. */
  static String number(double v) {
    if (v == Math.floor(v) && Math.abs(v) < 1e16) {
      return new BigDecimal(v).toBigInteger().toString();
    }
    // Shortest %e form of the exact binary value that reads back as the same double. (Formatting
    // the double itself would start from Double.toString, which on Java 17 is not always exact.)
    // %e rounds half up, Python half to even, so the exact value is rounded first: it matters for
    // ties such as 2160000000000000.25, which Python writes as ...0.2.
    String scientific = null;
    for (int digits = 1; digits <= 17; digits++) {
      BigDecimal rounded = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN));
      String candidate = String.format(Locale.ROOT, "%." + (digits - 1) + "e", rounded);
      if (Double.parseDouble(candidate) == v) {
        scientific = candidate;
        break;
      }
    }
    int e = scientific.indexOf('e');
    String mantissa = scientific.substring(0, e);
    int exponent = Integer.parseInt(scientific.substring(e + 1));
    if (mantissa.contains(".")) {
      mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    if (exponent < -4 || exponent >= 16) {
      return mantissa
          + "e"
          + (exponent < 0 ? "-" : "+")
          + String.format(Locale.ROOT, "%02d", Math.abs(exponent));
    }
    String plain = new BigDecimal(mantissa).scaleByPowerOfTen(exponent).toPlainString();
    return plain.contains(".") ? plain : plain + ".0";
  }

  static String string(String s) {
    StringBuilder out = new StringBuilder("\"");
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                  if (c < 0x20) {
                    out.append(String.format(Locale.ROOT, "\\u%04x", c));
                  } else {
                    out.appendCodePoint(c);
                  }
                }
              }
            });
    return out.append('"').toString();
  }
}
