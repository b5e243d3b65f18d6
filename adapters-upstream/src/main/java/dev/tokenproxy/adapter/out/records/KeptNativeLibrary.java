package dev.tokenproxy.adapter.out.records;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;
import java.util.jar.JarFile;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * SQLite's native library, copied out of the driver's jar once and kept under {@code data_dir} for later starts. Left
 * to itself the driver copies it into the temporary folder at every start, under a new random name, and reads both
 * copies again to compare them: ~0.1 s of a plain start's CPU (benchmark.md, fourteenth pass). The kept copy's name
 * holds the driver's version and the jar entry's checksum, so another driver never loads it; it lives in
 * {@code data_dir}, which only the gateway's user writes, not in a shared temporary folder where another user could put
 * a library under a name known in advance. Whatever fails here leaves the driver to find its library its own way.
 */
final class KeptNativeLibrary {

    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";

    /** What {@link #use} last set the properties to: set to anything else, they are the operator's choice. */
    private static String pointedPath;
    private static String pointedName;

    private KeptNativeLibrary() {
    }

    /**
     * Points the driver at the kept copy in {@code folder}, copying it there first if it is not yet there. Does nothing
     * when the operator chose a library with the driver's own properties, or when the driver is not loaded from a jar.
     * A later call for another folder points the driver there instead (it reads the properties once, when it loads).
     * Synchronized so that a warm-up thread and the store's opening do not copy it twice.
     */
    static synchronized void use(Path folder) {
        String path = System.getProperty(PATH_PROPERTY);
        String name = System.getProperty(NAME_PROPERTY);
        if ((path != null || name != null) && !(Objects.equals(path, pointedPath) && Objects.equals(name, pointedName))) {
            return;
        }
        try {
            String libraryName = LibraryLoaderUtil.getNativeLibName();
            URL resource = SQLiteJDBCLoader.class.getResource(
                    LibraryLoaderUtil.getNativeLibResourcePath() + "/" + libraryName);
            if (resource == null || !(resource.openConnection() instanceof JarURLConnection entryInJar)
                    || !"file".equals(entryInJar.getJarFileURL().getProtocol())) {
                return;
            }
            try (var jar = new JarFile(Path.of(entryInJar.getJarFileURL().toURI()).toFile())) {
                var entry = jar.getJarEntry(entryInJar.getEntryName());
                if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) {
                    return;
                }
                String keptName = "sqlite-%s-%08x-%s".formatted(SQLiteJDBCLoader.getVersion(), entry.getCrc(),
                        libraryName).toLowerCase(Locale.ROOT);
                Path kept = folder.resolve(keptName);
                if (!Files.isRegularFile(kept) || Files.size(kept) != entry.getSize()) {
                    try (var in = jar.getInputStream(entry)) {
                        copy(in, entry.getCrc(), folder, kept);
                    }
                }
                pointedPath = folder.toAbsolutePath().toString();
                pointedName = keptName;
                System.setProperty(PATH_PROPERTY, pointedPath);
                System.setProperty(NAME_PROPERTY, pointedName);
            }
        } catch (IOException | URISyntaxException | RuntimeException leftToTheDriver) {
            // The driver copies its library into the temporary folder, as it does without this.
        }
    }

    /** Copies to a new file beside {@code kept} and moves it into place only when the bytes match the jar's. */
    private static void copy(InputStream in, long crc, Path folder, Path kept) throws IOException {
        Files.createDirectories(folder);
        Path partial = Files.createTempFile(folder, "partial-", ".tmp");
        try {
            var checked = new CheckedInputStream(in, new CRC32());
            try (var out = Files.newOutputStream(partial)) {
                checked.transferTo(out);
            }
            if (checked.getChecksum().getValue() != crc) {
                throw new IOException("the copy of " + kept.getFileName() + " does not match the jar's");
            }
            if (Files.getFileStore(partial).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwx------"));
            }
            Files.move(partial, kept, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
