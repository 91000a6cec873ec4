package dev.herald.domain.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The canonical form agrees with an independent implementation of the rules for any payload. */
class CanonicalJsonPropertiesTest {

  @Property(tries = 300)
  void matchesTheReferenceForAnyMetadata(@ForAll("metadata") JsonValue metadata) {
    assertEquals(ReferenceJson.write(metadata), CanonicalJson.write(metadata));
  }

  @Property(tries = 1000)
  void writesAnyFiniteDoubleAsPythonDoes(@ForAll("doubles") double value) {
    assertEquals(ReferenceJson.number(value), PythonFloats.format(value));
  }

  @Property(tries = 1000)
  void escapesAnyStringAsPythonDoes(@ForAll("text") String value) {
    assertEquals(ReferenceJson.string(value), CanonicalJson.write(new JsonValue.Text(value)));
  }

  @Provide
  Arbitrary<JsonValue> metadata() {
    return Arbitraries.maps(text(), value(3)).ofMaxSize(6).map(JsonValue.Object::new);
  }

  private Arbitrary<JsonValue> value(int depth) {
    Arbitrary<JsonValue> leaf =
        Arbitraries.oneOf(
            Arbitraries.just(JsonValue.NULL),
            Arbitraries.of(true, false).map(JsonValue.Bool::new),
            doubles().map(JsonValue.Number::new),
            text().map(JsonValue.Text::new));
    if (depth == 0) {
      return leaf;
    }
    Arbitrary<JsonValue> array = value(depth - 1).list().ofMaxSize(4).map(JsonValue.Array::new);
    Arbitrary<JsonValue> object =
        Arbitraries.maps(text(), value(depth - 1))
            .ofMaxSize(4)
            .map(m -> (JsonValue) new JsonValue.Object(m));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, leaf),
        net.jqwik.api.Tuple.of(1, array),
        net.jqwik.api.Tuple.of(1, object));
  }

  /** Integers, small and large magnitudes, and arbitrary bit patterns. */
  @Provide
  @SuppressWarnings("FloatingPointLiteralPrecision") // literals that round are the point here
  Arbitrary<Double> doubles() {
    return Arbitraries.oneOf(
        Arbitraries.integers().map(i -> (double) i),
        Arbitraries.doubles().between(-1e6, 1e6),
        Arbitraries.of(
            0.1,
            1e-7,
            1e16,
            1e22,
            5e-324,
            Double.MAX_VALUE,
            -0.0,
            123456789.125,
            1e15 + 0.5,
            2160000000000000.25,
            2160000000000000.75),
        Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite),
        Arbitraries.integers()
            .between(-30, 30)
            .flatMap(
                exponent ->
                    Arbitraries.doubles().between(1, 10).map(m -> m * Math.pow(10, exponent))));
  }

  /** Any Unicode: controls, quotes, backslashes, accents, CJK, emoji. */
  @Provide
  Arbitrary<String> text() {
    return Arbitraries.oneOf(
            Arbitraries.strings().all().ofMaxLength(12),
            Arbitraries.strings()
                .withChars("\"\\\b\f\n\r\t\u0000\u001f\u007f\u2028/éü世界")
                .ofMaxLength(8),
            Arbitraries.of("😀", "🎥 meeting", "Zoë", "会议", "a\uD83D\uDE00b", "\uFF01"),
            Arbitraries.strings().ascii().ofMaxLength(10))
        .filter(s -> s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF));
  }
}
