package dev.tokenproxy.bootstrap.provider;

import dev.tokenproxy.application.spi.ProviderPlugin;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * Builds plug-in jars for tests from Java source, the way a provider's author would: compiled against the gateway's
 * classes, packaged with a {@code META-INF/services} file. Compiled at test time so that the plug-in classes are on no
 * class path but the jar's, as in production.
 */
public final class PluginJars {

    private PluginJars() {
    }

    /**
     * @param sources  Java source by fully qualified class name
     * @param services the classes listed in the services file; none writes no services file
     * @return the jar, {@code folder/jarName}
     */
    public static Path build(Path folder, String jarName, Map<String, String> sources, List<String> services) {
        try {
            Path work = Files.createTempDirectory(folder.getParent() == null ? folder : folder.getParent(), "plugin-src");
            var files = new ArrayList<String>();
            for (var source : sources.entrySet()) {
                Path file = work.resolve("src").resolve(source.getKey().replace('.', '/') + ".java");
                Files.createDirectories(file.getParent());
                Files.writeString(file, source.getValue());
                files.add(file.toString());
            }
            Path classes = Files.createDirectories(work.resolve("classes"));
            var args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                    "-proc:none", "--release", "21"));
            args.addAll(files);
            int status = ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new));
            if (status != 0) {
                throw new IllegalStateException("test plug-in source does not compile (see stderr)");
            }
            Files.createDirectories(folder);
            Path jar = folder.resolve(jarName);
            try (var out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> walk = Files.walk(classes)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
                if (!services.isEmpty()) {
                    out.putNextEntry(new JarEntry("META-INF/services/" + ProviderPlugin.class.getName()));
                    write(out, String.join("\n", services) + "\n");
                    out.closeEntry();
                }
            }
            return jar;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The source of a plug-in {@code pkg.Name} for provider {@code provider} serving Chat with API keys, whose port
     * answers every attempt with {@code sendBody} (a Java statement block returning an outcome) and whose constructor
     * runs {@code constructorBody}.
     */
    public static String plugin(String className, String provider, String constructorBody, String sendBody) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                import dev.tokenproxy.application.model.UpstreamReply;
                import dev.tokenproxy.application.port.out.AttemptRequest;
                import dev.tokenproxy.application.port.out.ProviderDescriptor;
                import dev.tokenproxy.application.port.out.SendAttemptPort;
                import dev.tokenproxy.application.spi.ProviderContext;
                import dev.tokenproxy.application.spi.ProviderPlugin;
                import dev.tokenproxy.domain.attempt.AttemptOutcome;
                import dev.tokenproxy.domain.routing.InboundFormat;
                import java.util.Map;

                public final class %s implements ProviderPlugin {
                    static final ProviderDescriptor DESCRIPTOR = ProviderDescriptor.nativeOnly("%s", InboundFormat.CHAT);

                    public %s() {
                        %s
                    }

                    @Override
                    public ProviderDescriptor descriptor() {
                        return DESCRIPTOR;
                    }

                    @Override
                    public SendAttemptPort create(ProviderContext context) {
                        return new SendAttemptPort() {
                            @Override
                            public ProviderDescriptor descriptor() {
                                return DESCRIPTOR;
                            }

                            @Override
                            public AttemptOutcome<UpstreamReply> send(AttemptRequest request) {
                                %s
                            }
                        };
                    }
                }
                """.formatted(className.substring(0, dot), className.substring(dot + 1), provider,
                className.substring(dot + 1), constructorBody, sendBody);
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The sources map for one plug-in class. */
    public static Map<String, String> one(String className, String source) {
        return Map.of(className, source);
    }
}
