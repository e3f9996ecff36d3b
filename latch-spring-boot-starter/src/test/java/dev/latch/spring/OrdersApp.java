package dev.latch.spring;

import dev.latch.servlet.LatchPrincipal;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** A Spring Security application whose API authenticates latch keys and service tokens. */
@SpringBootApplication
class OrdersApp {
    @Bean
    SecurityFilterChain api(HttpSecurity http, LatchSecurity latch) throws Exception {
        http.authorizeHttpRequests(a -> a
                .requestMatchers("/error").permitAll()
                .requestMatchers("/orders/**").hasAuthority("SCOPE_orders:read")
                .requestMatchers("/admin/**").hasAuthority("SCOPE_admin")
                .anyRequest().authenticated());
        latch.configure(http);
        return http.build();
    }

    @RestController
    static class Orders {
        @GetMapping("/orders/{id}")
        String order(@PathVariable("id") String id, @AuthenticationPrincipal LatchPrincipal who) {
            return "order " + id + " for " + who.subject() + " by " + who.kind();
        }

        @GetMapping("/admin/users")
        String users() {
            return "users";
        }

        @GetMapping("/boom")
        String boom() {
            throw new IllegalStateException("internal detail that must not reach the client");
        }
    }
}
