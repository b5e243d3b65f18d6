package dev.tokenproxy.adapter.out.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.JarURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * The copy's files. Loading it and naming it to the driver change the whole JVM, so that part is shown by starting the
 * gateway ({@code RunnableJarTest}).
 */
class KeptNativeLibraryTest {

    @TempDir
    Path folder;

    @Test
    void theLibraryIsCopiedOnceUnderANameOfTheDriversVersion() throws IOException {
        Path kept = KeptNativeLibrary.keptCopy(folder).orElseThrow();

        assertThat(onlyFileIn(folder)).isEqualTo(kept);
        assertThat(kept.getFileName().toString())
                .startsWith("sqlite-" + SQLiteJDBCLoader.getVersion() + "-")
                .endsWith(LibraryLoaderUtil.getNativeLibName());
        assertThat(Files.readAllBytes(kept)).isEqualTo(libraryInTheJar());

        // The next start finds the copy and writes nothing.
        var marked = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(kept, marked);

        assertThat(KeptNativeLibrary.keptCopy(folder)).contains(kept);
        assertThat(Files.getLastModifiedTime(kept)).isEqualTo(marked);
    }

    @Test
    void aCutShortCopyIsReplaced() throws IOException {
        Path kept = KeptNativeLibrary.keptCopy(folder).orElseThrow();
        Files.write(kept, new byte[] {0x7f, 'E', 'L', 'F'});

        assertThat(KeptNativeLibrary.keptCopy(folder)).contains(kept);

        assertThat(onlyFileIn(folder)).isEqualTo(kept);
        assertThat(Files.readAllBytes(kept)).isEqualTo(libraryInTheJar());
    }

    @Test
    void aFolderThatCannotBeWrittenGivesNoCopy() throws IOException {
        Path notAFolder = Files.writeString(folder.resolve("file"), "x");

        assertThat(KeptNativeLibrary.keptCopy(notAFolder.resolve("native"))).isEmpty();
    }

    @Test
    void eitherOfTheDriversPropertiesIsTheOperatorsChoice() {
        String path = System.clearProperty(KeptNativeLibrary.PATH_PROPERTY);
        String name = System.clearProperty(KeptNativeLibrary.NAME_PROPERTY);
        try {
            assertThat(KeptNativeLibrary.operatorChoseALibrary()).isFalse();
            System.setProperty(KeptNativeLibrary.NAME_PROPERTY, "libsqlitejdbc-custom.so");
            assertThat(KeptNativeLibrary.operatorChoseALibrary()).isTrue();
            System.clearProperty(KeptNativeLibrary.NAME_PROPERTY);
            System.setProperty(KeptNativeLibrary.PATH_PROPERTY, "/opt/sqlite");
            assertThat(KeptNativeLibrary.operatorChoseALibrary()).isTrue();
        } finally {
            restore(KeptNativeLibrary.PATH_PROPERTY, path);
            restore(KeptNativeLibrary.NAME_PROPERTY, name);
        }
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
