package dev.tokenproxy.bootstrap.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;
import java.util.function.Predicate;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The hexagon's rules. Lives in bootstrap, the one module that sees every other. Each rule fails on an empty
 * selection (ArchUnit's default), so renaming a package cannot make a rule pass vacuously.
 */
class ModuleRulesTest {

    private static JavaClasses production;

    @BeforeAll
    static void importProductionClasses() {
        production = new ClassFileImporter()
                // The other modules arrive as jars or class folders depending on how Maven runs: take both.
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dev.tokenproxy");
    }

    @Test
    void domainDependsOnlyOnTheJdk() {
        classes().that().resideInAPackage("dev.tokenproxy.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.tokenproxy.domain..")
                .check(production);
    }

    /** Reading HTTP dates is the upstream adapter's job; the domain is handed the wait as a Duration. */
    @Test
    void domainParsesNoDatesOrTimesFromText() {
        noClasses().that().resideInAPackage("dev.tokenproxy.domain..")
                .should().dependOnClassesThat().resideInAPackage("java.time.format..")
                .check(production);
    }

    @Test
    void applicationDependsOnlyOnDomainAndTheJdk() {
        classes().that().resideInAPackage("dev.tokenproxy.application..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "dev.tokenproxy.domain..", "dev.tokenproxy.application..")
                .check(production);
    }

    @Test
    void noFrameworksInTheCore() {
        noClasses().that().resideInAnyPackage("dev.tokenproxy.domain..", "dev.tokenproxy.application..")
                .should().dependOnClassesThat()
                .resideInAnyPackage("io.helidon..", "com.google.inject..", "com.fasterxml.jackson..")
                .check(production);
    }

    /** The provider SPI is what plug-ins compile against: ports, models and the domain, never the services behind. */
    @Test
    void theProviderSpiReachesNoService() {
        noClasses().that().resideInAPackage("dev.tokenproxy.application.spi..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenproxy.application.service..")
                .check(production);
    }

    @Test
    void inboundAdapterDoesNotSeeOutboundAdapters() {
        noClasses().that().resideInAPackage("dev.tokenproxy.adapter.in..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenproxy.adapter.out..")
                .check(production);
    }

    @Test
    void outboundAdaptersDoNotSeeInboundAdapters() {
        noClasses().that().resideInAPackage("dev.tokenproxy.adapter.out..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenproxy.adapter.in..")
                .check(production);
    }

    @Test
    void adaptersDoNotSeeBootstrap() {
        noClasses().that().resideInAPackage("dev.tokenproxy.adapter..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenproxy.bootstrap..")
                .check(production);
    }

    @Test
    void incomingPortsDoNotDependOnOutgoingPorts() {
        noClasses().that().resideInAPackage("dev.tokenproxy.application.port.in..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenproxy.application.port.out..")
                .check(production);
    }

    @Test
    void outgoingPortsDoNotDependOnIncomingPorts() {
        noClasses().that().resideInAPackage("dev.tokenproxy.application.port.out..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenproxy.application.port.in..")
                .check(production);
    }

    @Test
    void servicesAreReachedOnlyThroughPortsFromAdapters() {
        noClasses().that().resideInAPackage("dev.tokenproxy.adapter..")
                .should().dependOnClassesThat().resideInAPackage("dev.tokenproxy.application.service..")
                .check(production);
    }

    // --- inside adapters-upstream: transport → format → provider -------------------------------------------

    private static final String UPSTREAM = "dev.tokenproxy.adapter.out.upstream.";
    /** The layers every provider shares; any other package under {@link #UPSTREAM} is one provider. */
    private static final Set<String> TRANSPORT = Set.of("http", "sse", "eventstream", "stream");
    private static final String FORMAT = "format";

    private static String upstreamLayerOf(JavaClass type) {
        String name = type.getPackageName();
        if (!name.startsWith(UPSTREAM)) {
            return null;
        }
        return name.substring(UPSTREAM.length()).split("\\.")[0];
    }

    private static DescribedPredicate<JavaClass> upstreamLayerIn(String description, Predicate<String> layer) {
        return DescribedPredicate.describe(description, type -> {
            String name = upstreamLayerOf(type);
            return name != null && layer.test(name);
        });
    }

    @Test
    void upstreamTransportKnowsNoFormatAndNoProvider() {
        noClasses().that(upstreamLayerIn("transport (http, sse, eventstream, stream)", TRANSPORT::contains))
                .should().dependOnClassesThat(upstreamLayerIn("a format or provider package",
                        layer -> !TRANSPORT.contains(layer)))
                .check(production);
    }

    @Test
    void upstreamFormatsKnowNoProvider() {
        noClasses().that(upstreamLayerIn("format packages", FORMAT::equals))
                .should().dependOnClassesThat(upstreamLayerIn("a provider package",
                        layer -> !TRANSPORT.contains(layer) && !FORMAT.equals(layer)))
                .check(production);
    }

    @Test
    void upstreamProvidersDoNotSeeEachOther() {
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass type) {
                String layer = upstreamLayerOf(type);
                return layer == null || TRANSPORT.contains(layer) || FORMAT.equals(layer)
                        ? SliceIdentifier.ignore() : SliceIdentifier.of(layer);
            }

            @Override
            public String getDescription() {
                return "upstream provider packages";
            }
        }).should().notDependOnEachOther().check(production);
    }
}
