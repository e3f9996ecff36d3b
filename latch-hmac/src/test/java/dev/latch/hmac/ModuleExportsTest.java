package dev.latch.hmac;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** latch-hmac exports its one API package and depends on core only (besides the JDK). */
class ModuleExportsTest {
    @Test
    void moduleInfo_exportsOnlyTheApiPackage() throws Exception {
        Path classes = Path.of(SignedTokens.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        assertEquals("dev.latch.hmac", d.name());
        assertEquals(Set.of("dev.latch.hmac"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()));
        Set<String> requires = d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertEquals(Set.of("java.base", "dev.latch.core"), requires);
        assertTrue(d.opens().isEmpty());
    }
}
