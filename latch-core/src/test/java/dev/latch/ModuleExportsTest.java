package dev.latch;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** latch-core exports its API and SPI packages and nothing else. */
class ModuleExportsTest {
    @Test
    void moduleInfo_exportsOnlyApiAndSpi() throws Exception {
        Path classes = Path.of(Latches.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        assertEquals("dev.latch.core", descriptor.name());
        Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("dev.latch", "dev.latch.spi"), exported);
        assertEquals(Set.of(), descriptor.exports().stream().filter(ModuleDescriptor.Exports::isQualified)
                .collect(Collectors.toSet()));
        assertEquals(Set.of(), descriptor.opens());
    }
}
