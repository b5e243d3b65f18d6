package dev.tokenproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The committed test TLS material ({@code src/test/resources/tls}, see its README): a trusted certificate for
 * localhost, an untrusted one, and the trust store that trusts only the former.
 */
public final class TestTls {

    /** The server side of a TLS fake: its key and certificate, ready to accept handshakes. */
    public record ServerCert(SSLContext serverContext) { }

    private static final String PASSWORD = "changeit";
    private static final String TRUST_STORE = "tls/truststore.p12";

    private TestTls() { }

    /** Self-signed {@code CN=localhost} with SANs {@code DNS:localhost} and {@code IP:127.0.0.1}; in the trust store. */
    public static ServerCert localhostCert() {
        return new ServerCert(serverContext("tls/server.p12"));
    }

    /** A certificate for the same names that no trust store here trusts: handshakes with {@link #clientContext()} fail. */
    public static ServerCert untrustedCert() {
        return new ServerCert(serverContext("tls/untrusted.p12"));
    }

    /**
     * A trusted certificate for {@code other.example} only: a handshake with {@link #clientContext()} fails on the
     * host name when the client connects to {@code 127.0.0.1} or {@code localhost}.
     */
    public static ServerCert otherHostCert() {
        return new ServerCert(serverContext("tls/other-host.p12"));
    }

    /**
     * A file holding the PKCS12 trust store, for code that is configured with a path (the gateway's config).
     * The resource may sit inside the test-jar, so it is copied to a temporary file once.
     */
    public static Path trustStorePath() {
        return TrustStoreFile.PATH;
    }

    public static String trustStorePassword() {
        return PASSWORD;
    }

    /** A client context that trusts exactly {@link #localhostCert()} and {@link #otherHostCert()}. */
    public static SSLContext clientContext() {
        try {
            var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(load(TRUST_STORE));
            var context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the test client TLS context", e);
        }
    }

    private static SSLContext serverContext(String resource) {
        try {
            var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(load(resource), PASSWORD.toCharArray());
            var context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a server TLS context from " + resource, e);
        }
    }

    private static KeyStore load(String resource) {
        try (InputStream in = open(resource)) {
            var store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = TestTls.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " is not on the test classpath");
        }
        return in;
    }

    /** Lazy holder: the copy is made on first use only, and once per JVM. */
    private static final class TrustStoreFile {
        static final Path PATH = copyToTempFile();

        private static Path copyToTempFile() {
            try (InputStream in = open(TRUST_STORE)) {
                Path file = Files.createTempFile("token-proxy-test-truststore", ".p12");
                file.toFile().deleteOnExit();
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the test trust store", e);
            }
        }
    }
}
