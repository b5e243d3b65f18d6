package dev.tokenproxy.adapter.out.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.JarURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * The driver's properties are global to the JVM: each test starts without them and leaves them as it found them, so
 * the store's other tests load the library as they would have.
 */
class KeptNativeLibraryTest {

    @TempDir
    Path folder;

    private String pathBefore;
    private String nameBefore;

    @BeforeEach
    void clearTheDriversProperties() {
        pathBefore = System.clearProperty(KeptNativeLibrary.PATH_PROPERTY);
        nameBefore = System.clearProperty(KeptNativeLibrary.NAME_PROPERTY);
    }

    @AfterEach
    void restoreTheDriversProperties() {
        restore(KeptNativeLibrary.PATH_PROPERTY, pathBefore);
        restore(KeptNativeLibrary.NAME_PROPERTY, nameBefore);
    }

    @Test
    void theLibraryIsCopiedOnceAndTheDriverPointedAtTheCopy() throws IOException {
        KeptNativeLibrary.use(folder);

        Path kept = onlyFileIn(folder);
        assertThat(kept.getFileName().toString())
                .startsWith("sqlite-" + SQLiteJDBCLoader.getVersion() + "-")
                .endsWith(LibraryLoaderUtil.getNativeLibName());
        assertThat(Files.readAllBytes(kept)).isEqualTo(libraryInTheJar());
        assertThat(System.getProperty(KeptNativeLibrary.PATH_PROPERTY)).isEqualTo(folder.toAbsolutePath().toString());
        assertThat(System.getProperty(KeptNativeLibrary.NAME_PROPERTY)).isEqualTo(kept.getFileName().toString());

        // The next start finds the copy and writes nothing.
        var marked = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(kept, marked);
        KeptNativeLibrary.use(folder);

        assertThat(Files.getLastModifiedTime(kept)).isEqualTo(marked);
        assertThat(System.getProperty(KeptNativeLibrary.NAME_PROPERTY)).isEqualTo(kept.getFileName().toString());
    }

    @Test
    void aCutShortCopyIsReplaced() throws IOException {
        KeptNativeLibrary.use(folder);
        Path kept = onlyFileIn(folder);
        Files.write(kept, new byte[] {0x7f, 'E', 'L', 'F'});

        KeptNativeLibrary.use(folder);

        assertThat(onlyFileIn(folder)).isEqualTo(kept);
        assertThat(Files.readAllBytes(kept)).isEqualTo(libraryInTheJar());
    }

    @Test
    void aStoreInAnotherFolderGetsItsOwnCopy(@TempDir Path other) throws IOException {
        KeptNativeLibrary.use(folder);
        KeptNativeLibrary.use(other);

        assertThat(Files.readAllBytes(onlyFileIn(other))).isEqualTo(libraryInTheJar());
        assertThat(System.getProperty(KeptNativeLibrary.PATH_PROPERTY)).isEqualTo(other.toAbsolutePath().toString());
    }

    @Test
    void aLibraryTheOperatorChoseIsLeftAlone() throws IOException {
        System.setProperty(KeptNativeLibrary.PATH_PROPERTY, "/opt/sqlite");

        KeptNativeLibrary.use(folder);

        assertThat(System.getProperty(KeptNativeLibrary.PATH_PROPERTY)).isEqualTo("/opt/sqlite");
        assertThat(System.getProperty(KeptNativeLibrary.NAME_PROPERTY)).isNull();
        try (var files = Files.list(folder)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aFolderThatCannotBeWrittenLeavesTheDriverToItsOwnWay() throws IOException {
        Path notAFolder = Files.writeString(folder.resolve("file"), "x");

        KeptNativeLibrary.use(notAFolder.resolve("native"));

        assertThat(System.getProperty(KeptNativeLibrary.PATH_PROPERTY)).isNull();
        assertThat(System.getProperty(KeptNativeLibrary.NAME_PROPERTY)).isNull();
    }

    private static Path onlyFileIn(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            List<Path> all = files.toList();
            assertThat(all).hasSize(1);
            return all.getFirst();
        }
    }

    private static byte[] libraryInTheJar() throws IOException {
        var url = SQLiteJDBCLoader.class.getResource(
                LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName());
        var entry = (JarURLConnection) url.openConnection();
        try (var jar = new JarFile(entry.getJarFileURL().getPath());
             var in = jar.getInputStream(jar.getJarEntry(entry.getEntryName()))) {
            return in.readAllBytes();
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }
}
