package dev.herald.domain.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonFloatsTest {

  /** Expected values are what CPython 3.11's json.dumps printed for the same doubles. */
  @ParameterizedTest
  @CsvSource({
    "0.1, 0.1",
    "1e-07, 1e-07",
    "1.5e-07, 1.5e-07",
    "1.5, 1.5",
    "-0.5, -0.5",
    "1e16, 1e+16",
    "1e22, 1e+22",
    "1.2345e20, 1.2345e+20",
    "123456789.125, 123456789.125",
    "4.9e-324, 5e-324",
    "1.7976931348623157e308, 1.7976931348623157e+308",
    "0.0001, 0.0001",
    "0.00001, 1e-05",
    "2.5e-05, 2.5e-05",
    "1234567890123456.7, 1234567890123456.8",
    "1000000000000000.5, 1000000000000000.5",
    "100.25, 100.25",
    "0.3333333333333333, 0.3333333333333333",
    "1.23e-18, 1.23e-18",
    "3.6900000000000003e25, 3.6900000000000003e+25",
    "2160000000000000.25, 2160000000000000.2",
    "2160000000000000.75, 2160000000000000.8",
  })
  void writesNonIntegralValuesAsPythonsRepr(double value, String python) {
    assertEquals(python, PythonFloats.format(value));
  }

  /**
   * Python parses these back as int and writes them the same way, so the bytes survive a round
   * trip.
   */
  @ParameterizedTest
  @CsvSource({
    "2.0, 2",
    "-3.0, -3",
    "0.0, 0",
    "9007199254740992.0, 9007199254740992",
    "9999999999999998.0, 9999999999999998"
  })
  void writesIntegralValuesBelow1e16AsIntegers(double value, String expected) {
    assertEquals(expected, PythonFloats.format(value));
  }

  @ParameterizedTest
  @CsvSource({"NaN", "Infinity", "-Infinity"})
  void refusesWhatJsonCannotSay(double value) {
    assertThrows(IllegalArgumentException.class, () -> PythonFloats.format(value));
  }
}
