package dev.latch.servlet;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** latch-servlet exports one package. */
class ModuleExportsTest {
    @Test
    void moduleInfo_exportsOnlyTheApiPackage() throws Exception {
        Path classes = Path.of(LatchAuthFilter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        assertEquals("dev.latch.servlet", d.name());
        assertEquals(Set.of("dev.latch.servlet"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()));
    }
}
