package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrivateNetworkGuardTest {
  private final PrivateNetworkGuard guard = new PrivateNetworkGuard(false);

  @ParameterizedTest
  @ValueSource(strings = {
      "https://127.0.0.1/", "https://127.9.9.9/", "https://localhost/", "https://10.0.0.1/",
      "https://172.16.5.4/", "https://192.168.1.1/", "https://169.254.169.254/", "https://100.64.0.1/",
      "https://0.0.0.0/", "https://224.0.0.1/", "https://[::1]/", "https://[fe80::1]/", "https://[fd00::1]/",
      "https://[::]/"})
  void refusesPrivateDestinations(String url) {
    assertTrue(guard.refusal(URI.create(url)).isPresent(), url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://93.184.215.14/", "https://8.8.8.8/", "https://[2606:4700::1111]/", "https://100.128.0.1/"})
  void allowsPublicDestinations(String url) {
    assertFalse(guard.refusal(URI.create(url)).isPresent(), url);
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://127.0.0.1/", "https://10.0.0.1/"})
  void allowsEverythingWhenPrivateNetworksAreAllowed(String url) {
    assertFalse(new PrivateNetworkGuard(true).refusal(URI.create(url)).isPresent());
  }
}
