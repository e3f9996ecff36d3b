package dev.latch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The core's layering, pinned: the SPI ({@code dev.latch.spi}) never reaches into the
 * implementation package ({@code dev.latch.internal}), so a store or sink author sees only API and
 * SPI types; the default factories live in the API ({@link Latches#inMemoryStore()},
 * {@link Latches#loggingSink()}, {@link Latches#scheduler}). The implementation package uses the
 * API and SPI, never the other way round through the SPI.
 */
class LayeringTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("dev.latch");

    @Test
    void spi_doesNotDependOnInternal() {
        noClasses().that().resideInAPackage("dev.latch.spi..")
                .should().dependOnClassesThat().resideInAPackage("dev.latch.internal..")
                .check(CORE);
    }

    @Test
    void nothingOutsideTheCoreDependsOnInternal_andInternalNeverOnTheExamplesOrOtherModules() {
        noClasses().that().resideInAPackage("dev.latch.internal..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.latch.redis..", "dev.latch.hmac..",
                        "dev.latch.jwt..", "dev.latch.examples..", "dev.latch.benchmarks..")
                .check(CORE);
    }

    /**
     * The exported surface at a glance: at most 40 public top-level types in the API and SPI
     * packages together (values that belong to one type are nested in it, such as
     * {@code LatchStore.OpenRequest} or {@code Verdict.DenialReason}).
     */
    @Test
    void exportedTopLevelTypes_areAtMost40() {
        java.util.List<String> exported = CORE.stream()
                .filter(c -> c.getPackageName().equals("dev.latch") || c.getPackageName().equals("dev.latch.spi"))
                .filter(c -> c.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC))
                .filter(c -> c.isTopLevelClass())
                .map(com.tngtech.archunit.core.domain.JavaClass::getSimpleName)
                .sorted().toList();
        org.junit.jupiter.api.Assertions.assertTrue(exported.size() <= 40, exported.size() + " exported: " + exported);
    }

    @Test
    void internal_isUsedOnlyFromTheCore() {
        noClasses().that().resideOutsideOfPackages("dev.latch", "dev.latch.internal..")
                .should().dependOnClassesThat().resideInAPackage("dev.latch.internal..")
                .check(CORE);
    }
}
