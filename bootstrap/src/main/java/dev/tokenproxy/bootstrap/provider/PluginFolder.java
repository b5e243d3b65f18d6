package dev.tokenproxy.bootstrap.provider;

import dev.tokenproxy.application.spi.ProviderPlugin;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The plug-in folder ({@code plugins_dir}): every {@code *.jar} in it, in name order, each loaded by a class loader of
 * its own whose parent is the gateway's, so that plug-ins see the SPI and the domain but not each other. A jar must
 * declare at least one {@link ProviderPlugin} in {@code META-INF/services}: a jar that declares none would be silently
 * useless.
 */
final class PluginFolder {

    private static final String SERVICES_FILE = "META-INF/services/" + ProviderPlugin.class.getName();

    private PluginFolder() {
    }

    /** @throws ProviderLoadingException naming the folder or jar that cannot be used */
    static List<ProviderRegistry.Provider> providers(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ProviderLoadingException("plugins_dir " + folder + " is not a folder (it does not exist, or is "
                    + "a file): create it, or remove plugins_dir");
        }
        List<Path> jars;
        try (Stream<Path> entries = Files.list(folder)) {
            jars = entries.filter(path -> path.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            throw new ProviderLoadingException("plugins_dir " + folder + " cannot be read: " + e.getMessage());
        }
        var providers = new ArrayList<ProviderRegistry.Provider>();
        for (Path jar : jars) {
            providers.addAll(providersIn(jar));
        }
        return providers;
    }

    private static List<ProviderRegistry.Provider> providersIn(Path jar) {
        String origin = "plug-in jar " + jar;
        requireReadableJar(jar, origin);
        // Never closed: the plug-in's classes are used for as long as the gateway runs.
        var loader = new URLClassLoader("plugin:" + jar.getFileName(), new URL[] {url(jar)},
                ProviderRegistry.class.getClassLoader());
        var found = new ArrayList<ProviderRegistry.Provider>();
        try {
            // The loader also sees the parent's services (the built-ins): keep only the jar's own.
            ServiceLoader.load(ProviderPlugin.class, loader).stream()
                    .filter(candidate -> candidate.type().getClassLoader() == loader)
                    .forEach(candidate -> found.add(ProviderRegistry.Provider.declaredBy(candidate.get(), origin)));
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new ProviderLoadingException(origin + " cannot be loaded: " + ProviderLoadingException.describe(e));
        }
        if (found.isEmpty()) {
            throw new ProviderLoadingException(origin + " declares no provider: it needs a " + SERVICES_FILE
                    + " file naming its ProviderPlugin classes (docs/adding-a-provider.md)");
        }
        return found;
    }

    private static void requireReadableJar(Path jar, String origin) {
        try (var file = new JarFile(jar.toFile())) {
            file.size();
        } catch (IOException | SecurityException e) {
            throw new ProviderLoadingException(origin + " cannot be read as a jar: " + e.getMessage());
        }
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new ProviderLoadingException("plug-in jar " + jar + " has no usable URL: " + e.getMessage());
        }
    }
}
