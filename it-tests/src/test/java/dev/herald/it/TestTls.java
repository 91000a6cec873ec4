package dev.herald.it;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made when the tests start, a server certificate for localhost signed by
 * it, and the JVM's trust store pointed at the authority, the way an operator would trust a private
 * CA. Nothing about it is committed.
 */
final class TestTls {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static TestTls instance;

  private final SSLContext serverContext;
  private final SSLContext untrustedServerContext;
  private final Authority authority;

  /** The test CA, able to issue more certificates. */
  private record Authority(
      X500Name name, KeyPair keys, X509Certificate certificate, KeyPairGenerator generator) {}

  /**
   * PEM files of the CA, a localhost server certificate with its key, and a client certificate with
   * its key.
   */
  record PemFiles(Path ca, Path serverChain, Path serverKey, Path clientChain, Path clientKey) {}

  private TestTls(
      SSLContext serverContext, SSLContext untrustedServerContext, Authority authority) {
    this.serverContext = serverContext;
    this.untrustedServerContext = untrustedServerContext;
    this.authority = authority;
  }

  /**
   * Makes the CA once per JVM and installs it as the JVM's default trust before any client exists.
   */
  static synchronized TestTls get() {
    if (instance == null) {
      try {
        instance = create();
      } catch (Exception e) {
        throw new IllegalStateException("could not make test certificates", e);
      }
    }
    return instance;
  }

  SSLContext serverContext() {
    return serverContext;
  }

  /** A server certificate for localhost signed by a CA nobody trusts. */
  SSLContext untrustedServerContext() {
    return untrustedServerContext;
  }

  /** Issues a fresh server and client certificate from the test CA and writes everything as PEM. */
  PemFiles writePem(Path dir) throws Exception {
    KeyPair serverKeys = authority.generator().generateKeyPair();
    X509Certificate server = serverCertificate(authority.name(), authority.keys(), serverKeys);
    KeyPair clientKeys = authority.generator().generateKeyPair();
    X509Certificate client =
        sign(
            builder(authority.name(), new X500Name("CN=herald-test-client"), clientKeys),
            authority.keys());
    PemFiles files =
        new PemFiles(
            dir.resolve("ca.pem"),
            dir.resolve("server.pem"),
            dir.resolve("server-key.pem"),
            dir.resolve("client.pem"),
            dir.resolve("client-key.pem"));
    Files.writeString(files.ca(), pem("CERTIFICATE", authority.certificate().getEncoded()));
    Files.writeString(files.serverChain(), pem("CERTIFICATE", server.getEncoded()));
    Files.writeString(files.serverKey(), pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
    Files.writeString(files.clientChain(), pem("CERTIFICATE", client.getEncoded()));
    Files.writeString(files.clientKey(), pem("PRIVATE KEY", clientKeys.getPrivate().getEncoded()));
    return files;
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static TestTls create() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair caKeys = generator.generateKeyPair();
    X500Name caName = new X500Name("CN=Herald Test CA");
    X509Certificate ca = caCertificate(caName, caKeys);
    SSLContext serverContext = serverContext(generator, caName, caKeys, ca);

    KeyPair strangerKeys = generator.generateKeyPair();
    X500Name strangerName = new X500Name("CN=Untrusted Test CA");
    SSLContext untrusted =
        serverContext(
            generator, strangerName, strangerKeys, caCertificate(strangerName, strangerKeys));

    installJvmTrust(ca);
    return new TestTls(serverContext, untrusted, new Authority(caName, caKeys, ca, generator));
  }

  private static SSLContext serverContext(
      KeyPairGenerator generator, X500Name caName, KeyPair caKeys, X509Certificate ca)
      throws Exception {
    KeyPair serverKeys = generator.generateKeyPair();
    X509Certificate server = serverCertificate(caName, caKeys, serverKeys);
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setKeyEntry(
        "server", serverKeys.getPrivate(), PASSWORD, new X509Certificate[] {server, ca});
    KeyManagerFactory keyManagers =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keyStore, PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keyManagers.getKeyManagers(), null, null);
    return context;
  }

  /** Writes a trust store holding the CA and makes it the JVM's default, for clients made after. */
  private static void installJvmTrust(X509Certificate ca) throws Exception {
    KeyStore trustStore = KeyStore.getInstance("PKCS12");
    trustStore.load(null, null);
    trustStore.setCertificateEntry("herald-test-ca", ca);
    Path file = Files.createTempFile("herald-test-truststore", ".p12");
    file.toFile().deleteOnExit();
    try (OutputStream out = Files.newOutputStream(file)) {
      trustStore.store(out, PASSWORD);
    }
    System.setProperty("javax.net.ssl.trustStore", file.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", new String(PASSWORD));
    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trustStore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    SSLContext.setDefault(context);
  }

  private static X509Certificate caCertificate(X500Name name, KeyPair keys) throws Exception {
    X509v3CertificateBuilder builder = builder(name, name, keys);
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return sign(builder, keys);
  }

  private static X509Certificate serverCertificate(
      X500Name issuer, KeyPair issuerKeys, KeyPair keys) throws Exception {
    X509v3CertificateBuilder builder = builder(issuer, new X500Name("CN=localhost"), keys);
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    return sign(builder, issuerKeys);
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws Exception {
    ContentSigner contentSigner =
        new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
  }
}
