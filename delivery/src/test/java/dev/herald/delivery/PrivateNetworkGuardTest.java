package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrivateNetworkGuardTest {
  /** Names resolve as this table says; anything else does not resolve. */
  private static final Map<String, List<String>> DNS =
      Map.of(
          "public.example", List.of("93.184.215.14"),
          "loopback.example", List.of("127.0.0.1"),
          "metadata.example", List.of("169.254.169.254"),
          "mixed.example", List.of("93.184.215.14", "10.0.0.7"),
          "v6-loopback.example", List.of("::1"),
          "mapped.example", List.of("::ffff:192.168.0.1"));

  private static final HostResolver RESOLVER =
      host -> {
        List<String> answers = DNS.get(host);
        if (answers == null) {
          throw new UnknownHostException(host);
        }
        return answers.stream().map(PrivateNetworkGuardTest::literal).toList();
      };

  private final PrivateNetworkGuard guard = new PrivateNetworkGuard(false, RESOLVER);

  /** Every spelling of a non-public destination we know of; each must be refused. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        // IPv4, plain
        "http://127.0.0.1/",
        "http://127.9.9.9/",
        "http://0.0.0.0/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://172.31.255.255/",
        "http://192.168.1.1/",
        "http://169.254.169.254/",
        "http://100.64.0.1/",
        "http://100.127.255.254/",
        "http://192.0.0.8/",
        "http://192.0.2.1/",
        "http://198.18.0.1/",
        "http://198.51.100.7/",
        "http://203.0.113.9/",
        "http://224.0.0.1/",
        "http://239.255.255.250/",
        "http://240.0.0.1/",
        "http://255.255.255.255/",
        // IPv4, other spellings a URL parser accepts
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://0x7f.0.0.1/",
        "http://127.1/",
        "http://127.0.1/",
        "http://0/",
        "http://017700000001/",
        "http://0x7f.1/",
        "http://127.000.000.001/",
        "http://0xA9FEA9FE/",
        "http://2852039166/",
        "http://0251.0376.0251.0376/",
        "http://127.0.0.1./",
        "http://0x0a.0x00.0x00.0x01/",
        // IPv6, and IPv6 forms carrying an IPv4 address
        "http://[::1]/",
        "http://[::]/",
        "http://[0:0:0:0:0:0:0:1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[fc00::1]/",
        "http://[fd00:ec2::254]/",
        "http://[ff02::1]/",
        "http://[fec0::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b::10.0.0.1]/",
        "http://[2002:7f00:1::]/",
        "http://[2002:a9fe:a9fe::1]/",
        "http://[2001:db8::1]/",
        "http://[100::1]/",
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
        "http://[::ffff:0:0]/",
        // names
        "http://localhost/",
        "http://LOCALHOST/",
        "http://localhost./",
        "http://api.localhost/",
        "http://loopback.example/",
        "http://metadata.example/",
        "http://mixed.example/",
        "http://v6-loopback.example/",
        "http://mapped.example/",
      })
  void refusesEverySpellingOfANonPublicDestination(String url) {
    assertTrue(guard.refusal(URI.create(url)).isPresent(), url);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://93.184.215.14/",
        "https://8.8.8.8/",
        "https://100.128.0.1/",
        "https://172.32.0.1/",
        "https://[2606:4700::1111]/",
        "https://[64:ff9b::808:808]/",
        "https://[2002:808:808::1]/",
        "https://public.example/",
        "https://unresolvable.example/"
      })
  void allowsPublicDestinations(String url) {
    assertEquals(Optional.empty(), guard.refusal(URI.create(url)), url);
  }

  @Test
  void namesTheKindOfAddressItRefusesButNotTheAddressANameResolvedTo() {
    assertEquals(
        Optional.of("must not point to a link-local address"),
        guard.refusal(URI.create("https://metadata.example/")));
    assertEquals(
        Optional.of("must not point to a loopback address"),
        guard.refusal(URI.create("http://0x7f.1/")));
  }

  @Test
  void aPublicAddressSpelledUnusuallyMustBeWrittenPlainly() {
    assertEquals(
        Optional.of("must write an IPv4 host in dotted-decimal form (8.8.8.8)"),
        guard.refusal(URI.create("http://0x08080808/")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://1.2.3.4.5/",
        "http://256.1.1.1/",
        "http://1.2.3.0x100/",
        "http://4294967296/"
      })
  void refusesNumericHostsThatAreNoAddress(String url) {
    assertTrue(guard.refusal(URI.create(url)).isPresent(), url);
  }

  @Test
  void vetsEveryAddressANameResolvesTo() throws Exception {
    assertEquals(List.of(literal("93.184.215.14")), guard.vet("public.example"));
    assertThrows(BlockedAddressException.class, () -> guard.vet("mixed.example"));
    assertThrows(BlockedAddressException.class, () -> guard.vet("localhost"));
    assertThrows(BlockedAddressException.class, () -> guard.check(literal("::ffff:10.0.0.1")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://localhost/",
        "http://loopback.example/"
      })
  void allowsEverythingWhenPrivateNetworksAreAllowed(String url) throws Exception {
    PrivateNetworkGuard open = new PrivateNetworkGuard(true, RESOLVER);
    assertFalse(open.refusal(URI.create(url)).isPresent());
    open.check(literal("127.0.0.1"));
  }

  @Test
  void aLookupThatDoesNotAnswerIsGivenUpWithinItsTimeLimit() {
    CountDownLatch never = new CountDownLatch(1);
    HostResolver hanging =
        new TimedHostResolver(
            host -> {
              try {
                never.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              throw new UnknownHostException(host);
            },
            Duration.ofMillis(200));
    PrivateNetworkGuard slow = new PrivateNetworkGuard(false, hanging);
    UnknownHostException timedOut =
        assertThrows(UnknownHostException.class, () -> slow.vet("slow.example"));
    assertTrue(timedOut.getMessage().contains("took longer than 200 ms"), timedOut.getMessage());
    assertEquals(
        Optional.empty(),
        slow.refusal(URI.create("https://slow.example/")),
        "unresolved: checked again at delivery");
  }

  private static InetAddress literal(String address) {
    try {
      return InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(address, e);
    }
  }
}
