package dev.herald.domain.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Writes a double the way Python's {@code json.dumps} writes the number a receiver parses back from
 * it, so that re-serialising the parsed payload reproduces the body byte for byte.
 *
 * <p>Integral values below 10^16 are written as integers (Python parses them back as {@code int}
 * and writes them the same way). Everything else is written as {@code repr(float)} does: the
 * shortest decimal that round-trips, in positional notation for exponents from -4 to 15 and in
 * scientific notation ({@code 1e-07}, {@code 1e+16}) outside it. Java 17's {@link Double#toString}
 * is not always shortest, hence the search below.
 */
public final class PythonFloats {
  private static final double INTEGER_LIMIT = 1e16;

  private PythonFloats() {}

  public static String format(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("JSON has no NaN or infinity: " + value);
    }
    if (value == Math.rint(value) && Math.abs(value) < INTEGER_LIMIT) {
      return Long.toString((long) value);
    }
    BigDecimal shortest = shortestRoundTrip(value);
    String digits = shortest.unscaledValue().abs().toString();
    int exponent = shortest.precision() - shortest.scale() - 1;
    digits = stripTrailingZeros(digits);
    String sign = value < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      return sign + positional(digits, exponent);
    }
    return sign + scientific(digits, exponent);
  }

  private static BigDecimal shortestRoundTrip(double value) {
    BigDecimal exact = new BigDecimal(value);
    for (int precision = 1; precision < 17; precision++) {
      BigDecimal candidate = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (candidate.doubleValue() == value) {
        return candidate;
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
  }

  private static String stripTrailingZeros(String digits) {
    int end = digits.length();
    while (end > 1 && digits.charAt(end - 1) == '0') {
      end--;
    }
    return digits.substring(0, end);
  }

  private static String positional(String digits, int exponent) {
    if (exponent < 0) {
      return "0." + "0".repeat(-exponent - 1) + digits;
    }
    int integerDigits = exponent + 1;
    if (digits.length() <= integerDigits) {
      return digits + "0".repeat(integerDigits - digits.length()) + ".0";
    }
    return digits.substring(0, integerDigits) + "." + digits.substring(integerDigits);
  }

  private static String scientific(String digits, int exponent) {
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exponentDigits = Integer.toString(Math.abs(exponent));
    if (exponentDigits.length() < 2) {
      exponentDigits = "0" + exponentDigits;
    }
    return mantissa + "e" + (exponent < 0 ? "-" : "+") + exponentDigits;
  }
}
