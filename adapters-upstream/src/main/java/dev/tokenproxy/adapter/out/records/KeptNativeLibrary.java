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
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * SQLite's native library, copied out of the driver's jar once and kept under {@code data_dir} for later starts. Left
 * to itself the driver copies it into the temporary folder at every start, under a new random name, and reads both
 * copies again to compare them: 0.1-0.3 s of a plain start's CPU (benchmark.md, fourteenth pass). The kept copy's name
 * holds the driver's version and the jar entry's checksum, so another driver never loads it; it lives in
 * {@code data_dir}, which only the gateway's user writes, not in a shared temporary folder where another user could put
 * a library under a name known in advance. Whatever fails here leaves the driver to find its library its own way.
 */
final class KeptNativeLibrary {

    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";

    /**
     * Whether {@link #use} has tried once: a copy that loaded is named to the driver, and one that did not (a
     * {@code noexec} folder) is not tried again when the store opens after the warm-up thread.
     */
    private static boolean tried;

    private KeptNativeLibrary() {
    }

    /**
     * Loads the kept copy in {@code folder} (copying it there first if need be) and names it to the driver, which then
     * finds it loaded. The copy is loaded here before it is named because, with its name set, the driver no longer
     * copies its own library out of the jar: a copy that cannot be loaded (a {@code data_dir} mounted {@code noexec})
     * must leave the driver to that. Does nothing after the first call, when the operator chose a library with the
     * driver's own properties, or when the driver's classes are another class loader's (a library belongs to the
     * loader that loaded it). Synchronized so that a warm-up thread and the store's opening do not copy it twice.
     */
    static synchronized void use(Path folder) {
        if (tried || operatorChoseALibrary()
                || KeptNativeLibrary.class.getClassLoader() != SQLiteJDBCLoader.class.getClassLoader()) {
            return;
        }
        tried = true;
        try {
            Optional<Path> kept = keptCopy(folder);
            if (kept.isPresent()) {
                System.load(kept.get().toAbsolutePath().toString());
                System.setProperty(PATH_PROPERTY, folder.toAbsolutePath().toString());
                System.setProperty(NAME_PROPERTY, kept.get().getFileName().toString());
            }
        } catch (RuntimeException | LinkageError leftToTheDriver) {
            // The driver copies its library into the temporary folder, as it does without this.
        }
    }

    /** The driver's own properties name a library: the operator's choice, until {@link #use} has set them. */
    static boolean operatorChoseALibrary() {
        return System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null;
    }

    /**
     * The copy of the driver's library in {@code folder}, made now if it is missing or cut short; empty when the
     * driver is not loaded from a jar file or the copy cannot be made.
     */
    static Optional<Path> keptCopy(Path folder) {
        try {
            String libraryName = LibraryLoaderUtil.getNativeLibName();
            URL resource = SQLiteJDBCLoader.class.getResource(
                    LibraryLoaderUtil.getNativeLibResourcePath() + "/" + libraryName);
            if (resource == null || !(resource.openConnection() instanceof JarURLConnection entryInJar)
                    || !"file".equals(entryInJar.getJarFileURL().getProtocol())) {
                return Optional.empty();
            }
            try (var jar = new JarFile(Path.of(entryInJar.getJarFileURL().toURI()).toFile())) {
                var entry = jar.getJarEntry(entryInJar.getEntryName());
                if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) {
                    return Optional.empty();
                }
                String keptName = "sqlite-%s-%08x-%s".formatted(SQLiteJDBCLoader.getVersion(), entry.getCrc(),
                        libraryName).toLowerCase(Locale.ROOT);
                Path kept = folder.resolve(keptName);
                if (!Files.isRegularFile(kept) || Files.size(kept) != entry.getSize()) {
                    try (var in = jar.getInputStream(entry)) {
                        copy(in, entry.getCrc(), folder, kept);
                    }
                }
                return Optional.of(kept);
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
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
