package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.SigningSecret;
import dev.herald.proto.v1.UpdateSigningSettingsRequest;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The README's Java verification snippet, compiled exactly as printed and run against a real
 * delivery. The delivery is also written to {@code target/readme-capture}, where {@code
 * .ci/verify-readme-snippets} checks the Python and Node snippets against it.
 */
class ReadmeSnippetsIT {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void theJavaSnippetVerifiesARealDeliveryAndRefusesATamperedOne() throws Exception {
    Receiver.Request request;
    SigningSecret secret;
    try (HeraldFixture herald = HeraldFixture.start();
        Receiver receiver = Receiver.http()) {
      herald.webhooks().createWebhook(Requests.webhook("proj-snippets", receiver.url("/snippets")));
      herald
          .webhooks()
          .updateSigningSettings(
              UpdateSigningSettingsRequest.newBuilder()
                  .setProjectId("proj-snippets")
                  .addSchemes("v1")
                  .addSchemes("v1a")
                  .build());
      Struct metadata =
          Struct.newBuilder()
              .putFields(
                  "title", Value.newBuilder().setStringValue("Réunion 週次 🎥 \"draft\"").build())
              .putFields("tiny", Value.newBuilder().setNumberValue(1e-7).build())
              .putFields("huge", Value.newBuilder().setNumberValue(1e16).build())
              .putFields("count", Value.newBuilder().setNumberValue(3).build())
              .putFields("ratio", Value.newBuilder().setNumberValue(0.1).build())
              .build();
      herald
          .ingestion()
          .ingestStateChange(
              Requests.stateChange("proj-snippets", "bot-1").setBotMetadata(metadata).build());
      request = receiver.awaitRequests("/snippets", 1, HeraldFixture.WAIT).get(0);
      secret =
          herald
              .webhooks()
              .getSigningSecret(
                  GetSigningSecretRequest.newBuilder().setProjectId("proj-snippets").build());
    }
    capture(request, secret);

    Method verify =
        compileReadmeJava().getMethod("verify", String.class, byte[].class, String.class);
    String signature = request.header("X-Webhook-Signature");
    assertEquals(true, verify.invoke(null, secret.getSecret(), request.body(), signature));
    byte[] tampered = Arrays.copyOf(request.body(), request.body().length);
    tampered[tampered.length - 3] ^= 1;
    assertEquals(false, verify.invoke(null, secret.getSecret(), tampered, signature));
  }

  private static void capture(Receiver.Request request, SigningSecret secret) throws Exception {
    Path dir = Path.of(System.getProperty("herald.capture.dir"));
    Files.createDirectories(dir);
    Files.write(dir.resolve("body"), request.body());
    Files.writeString(dir.resolve("secret"), secret.getSecret());
    Files.writeString(dir.resolve("standard_secret"), secret.getStandardSecret());
    Files.writeString(dir.resolve("public_key"), secret.getPublicKey());
    for (String header :
        new String[] {
          "X-Webhook-Signature", "webhook-id", "webhook-timestamp", "webhook-signature"
        }) {
      Files.writeString(dir.resolve(header.toLowerCase()), request.header(header));
    }
  }

  private static Class<?> compileReadmeJava() throws Exception {
    String readme =
        Files.readString(Path.of(System.getProperty("herald.readme")), StandardCharsets.UTF_8);
    Matcher block = JAVA_BLOCK.matcher(readme);
    assertTrue(block.find(), "the README has a Java snippet");
    Path dir = Files.createTempDirectory("readme-java");
    Path source = dir.resolve("WebhookVerifier.java");
    Files.writeString(source, block.group(1));
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    int status = compiler.run(null, null, null, "-d", dir.toString(), source.toString());
    assertEquals(0, status, "the README's Java snippet compiles");
    assertFalse(block.find(), "one Java snippet");
    URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()});
    return loader.loadClass("WebhookVerifier");
  }
}
