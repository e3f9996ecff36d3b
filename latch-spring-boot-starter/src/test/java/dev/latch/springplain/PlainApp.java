package dev.latch.springplain;

import dev.latch.servlet.LatchPrincipal;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Boot application without Spring Security, guarded by latch's servlet filter from properties
 * (a package of its own, so that neither test application scans the other).
 */
@SpringBootApplication(excludeName = {
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
public class PlainApp {
    /** The API. */
    @RestController
    static class Api {
        @GetMapping("/api/orders")
        String orders(HttpServletRequest request) {
            return "orders for " + request.getRemoteUser() + " " + (request.getUserPrincipal() instanceof LatchPrincipal);
        }

        @GetMapping("/api/admin/users")
        String users() {
            return "users";
        }

        @GetMapping("/public/health")
        String health() {
            return "ok";
        }
    }
}
