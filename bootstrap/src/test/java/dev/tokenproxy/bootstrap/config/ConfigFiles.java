package dev.tokenproxy.bootstrap.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes configuration text into a test's folder and loads it, as {@code --config FILE} would. */
final class ConfigFiles {

    private final Path folder;
    private final Map<String, String> env;

    ConfigFiles(Path folder, Map<String, String> env) {
        this.folder = folder;
        this.env = env;
    }

    Path write(String name, String text) {
        try {
            Path file = folder.resolve(name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    GatewayConfig load(String yaml) {
        return new ConfigLoader(env).loadFile(write("token-proxy.yaml", yaml));
    }
}
