package dev.tokenproxy.domain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The domain as a library (issue 11): its public types are exactly the API that {@code docs/domain-as-a-library.md}
 * lists, each has a Javadoc comment, and it keeps the promises that document makes (no I/O, no clock of its own).
 * The API list lives only in that document, between its {@code public-api} markers; this test reads it from there.
 */
class DomainApiTest {

    /** Surefire runs in the module directory; the document belongs to the whole checkout. */
    static final Path LIBRARY_DOC = Path.of("../docs/domain-as-a-library.md");
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String ROOT = "dev.tokenproxy.domain";

    private static JavaClasses domain;
    private static Set<String> documentedApi;

    @BeforeAll
    static void importDomainAndReadTheDocumentedApi() throws IOException {
        domain = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        documentedApi = DocumentedApi.parse(Files.readString(LIBRARY_DOC));
    }

    @Test
    void everyPublicTypeIsInTheDocumentedApi() {
        classes().that(areVisibleOutsideTheDomain())
                .should(beNamedIn(documentedApi))
                .because("a new public type is a new promise: list it in " + LIBRARY_DOC + " or make it package-private")
                .check(domain);
    }

    @Test
    void everyDocumentedTypeIsPublic() {
        var visible = new TreeSet<String>();
        domain.stream().filter(DomainApiTest::isVisibleOutsideTheDomain).forEach(c -> visible.add(c.getName()));

        assertThat(visible).as("public types of the domain vs. the API listed in " + LIBRARY_DOC)
                .containsExactlyInAnyOrderElementsOf(documentedApi);
    }

    @Test
    void everyPublicTypeHasAJavadocComment() throws IOException {
        var undocumented = new ArrayList<String>();
        for (var type : domain) {
            if (isVisibleOutsideTheDomain(type) && !JavadocPresence.documented(type, SOURCES)) {
                undocumented.add(type.getName());
            }
        }
        assertThat(undocumented).as("public types without a /** Javadoc */ comment").isEmpty();
    }

    /** The document promises no I/O: no files, sockets or channels, so the library is safe to call anywhere. */
    @Test
    void domainDoesNoIo() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio..", "java.net..")
                .check(domain);
    }

    /** The document promises no clock of its own: every rule takes the time as an argument, so tests fix it. */
    @Test
    void domainReadsNoClock() {
        noClasses().should().dependOnClassesThat().areAssignableTo(Clock.class)
                .orShould().callMethodWhere(readsTheTime())
                .check(domain);
    }

    private static DescribedPredicate<JavaClass> areVisibleOutsideTheDomain() {
        return DescribedPredicate.describe("are visible outside the domain", DomainApiTest::isVisibleOutsideTheDomain);
    }

    /** Public, and so is every enclosing type: a public type nested in a package-private one is no API. */
    static boolean isVisibleOutsideTheDomain(JavaClass type) {
        if (!type.getModifiers().contains(JavaModifier.PUBLIC) || type.isAnonymousClass() || type.isLocalClass()) {
            return false;
        }
        return type.getEnclosingClass().map(DomainApiTest::isVisibleOutsideTheDomain).orElse(true);
    }

    private static ArchCondition<JavaClass> beNamedIn(Set<String> api) {
        return new ArchCondition<>("be listed in the public API of " + LIBRARY_DOC) {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                boolean listed = api.contains(type.getName());
                events.add(new SimpleConditionEvent(type, listed, type.getName()
                        + (listed ? " is listed" : " is public but not listed")));
            }
        };
    }

    private static DescribedPredicate<JavaCall<?>> readsTheTime() {
        return DescribedPredicate.describe("reads the time (Instant.now(), System.currentTimeMillis(), ...)",
                call -> {
                    String owner = call.getTargetOwner().getPackageName();
                    String name = call.getName();
                    return owner.equals("java.time") && name.equals("now")
                            || call.getTargetOwner().isEquivalentTo(System.class)
                            && (name.equals("currentTimeMillis") || name.equals("nanoTime"));
                });
    }

    /** The API list of the document: {@code ### `package`} headings, then {@code - `Type`} or {@code - `Type.Nested`}. */
    static final class DocumentedApi {

        private static final Pattern SECTION =
                Pattern.compile("<!-- public-api:begin -->(.*?)<!-- public-api:end -->", Pattern.DOTALL);
        private static final Pattern PACKAGE = Pattern.compile("^###\\s+`(" + Pattern.quote(ROOT) + "[\\w.]*)`");
        private static final Pattern TYPE = Pattern.compile("^\\s*[-*]\\s+`([A-Z][\\w.]*)`");

        /** Binary names ({@code ...attempt.AttemptOutcome$Success}), as the class files have them. */
        static Set<String> parse(String document) {
            Matcher section = SECTION.matcher(document);
            if (!section.find()) {
                throw new IllegalStateException("no <!-- public-api:begin --> ... end section in " + LIBRARY_DOC);
            }
            var names = new TreeSet<String>();
            String currentPackage = null;
            for (String line : section.group(1).lines().toList()) {
                Matcher pkg = PACKAGE.matcher(line);
                Matcher type = TYPE.matcher(line);
                if (pkg.find()) {
                    currentPackage = pkg.group(1);
                } else if (type.find()) {
                    if (currentPackage == null) {
                        throw new IllegalStateException("type listed before any package heading: " + line);
                    }
                    names.add(currentPackage + "." + type.group(1).replace('.', '$'));
                }
            }
            if (names.isEmpty()) {
                throw new IllegalStateException("the public-api section of " + LIBRARY_DOC + " lists no type");
            }
            return names;
        }
    }

    /**
     * Whether a type's declaration is preceded by a Javadoc comment. Class files keep no comments, so this reads the
     * type's source file; annotations may stand between the comment and the declaration.
     */
    static final class JavadocPresence {

        private static final String MODIFIERS =
                "(?:(?:public|protected|private|static|final|abstract|sealed|non-sealed|strictfp)\\s+)*";

        static boolean documented(JavaClass type, Path sources) throws IOException {
            JavaClass topLevel = type;
            while (topLevel.getEnclosingClass().isPresent()) {
                topLevel = topLevel.getEnclosingClass().get();
            }
            Path file = sources.resolve(topLevel.getName().replace('.', '/') + ".java");
            return documented(Files.readString(file), type.getSimpleName());
        }

        static boolean documented(String source, String simpleName) {
            Pattern declaration = Pattern.compile("(?m)^[ \\t]*" + MODIFIERS
                    + "(?:class|interface|enum|record|@interface)\\s+" + Pattern.quote(simpleName) + "\\b");
            Matcher m = declaration.matcher(source);
            if (!m.find()) {
                throw new IllegalStateException("no declaration of " + simpleName + " found");
            }
            List<String> before = new ArrayList<>(source.substring(0, m.start()).lines().toList());
            // Skip blank lines and annotations between the comment and the declaration.
            while (!before.isEmpty() && (before.getLast().isBlank() || before.getLast().strip().startsWith("@"))) {
                before.removeLast();
            }
            String preceding = String.join("\n", before).stripTrailing();
            if (!preceding.endsWith("*/")) {
                return false;
            }
            // Comments do not nest: the one that ends here opened at the first "/*" after the comment before it.
            int previousEnd = preceding.lastIndexOf("*/", preceding.length() - 3);
            int opening = preceding.indexOf("/*", previousEnd < 0 ? 0 : previousEnd + 2);
            return opening >= 0 && preceding.startsWith("/**", opening);
        }
    }
}
