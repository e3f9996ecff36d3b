package dev.latch.micrometer;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** latch-micrometer exports one package. */
class ModuleExportsTest {
    @Test
    void moduleInfo_exportsOnlyTheApiPackage() throws Exception {
        Path classes = Path.of(LatchMetrics.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        assertEquals("dev.latch.micrometer", d.name());
        assertEquals(Set.of("dev.latch.micrometer"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()));
    }
}
