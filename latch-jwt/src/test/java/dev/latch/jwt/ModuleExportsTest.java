package dev.latch.jwt;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** latch-jwt exports one package, and no Nimbus type appears in its public signatures. */
class ModuleExportsTest {
    @Test
    void moduleInfo_exportsOnlyTheApiPackage() throws Exception {
        Path classes = Path.of(SignedJwts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor d = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        assertEquals("dev.latch.jwt", d.name());
        assertEquals(Set.of("dev.latch.jwt"), d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet()));
    }

    @Test
    void publicSignatures_holdNoNimbusTypes() {
        for (Class<?> c : new Class<?>[]{SignedJwts.class, SignedJwts.Builder.class, JwtKey.class, JwtKeySet.class,
                RemoteJwks.class, RemoteJwks.Builder.class, JwtAlgorithm.class}) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                assertFalse(m.getReturnType().getName().startsWith("com.nimbusds"), m.toString());
                for (Class<?> p : m.getParameterTypes()) {
                    assertFalse(p.getName().startsWith("com.nimbusds"), m.toString());
                }
            }
        }
    }
}
