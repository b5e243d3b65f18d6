package dev.tokenproxy.bootstrap.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version this build was made from: the project version, written into a resource by Maven's resource
 * filtering. A resource rather than the jar manifest, so that it is the same when run from the jar and from the
 * classes folder (the tests).
 */
public final class BuildVersion {

    private static final String RESOURCE = "/token-proxy-version.properties";

    private BuildVersion() {
    }

    public static String current() {
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            var properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
