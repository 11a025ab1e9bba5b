package hudson.security;

import java.util.List;
import jenkins.model.Jenkins;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Access control. The stand-in grants a permission to {@link #SYSTEM2}, and to any other authentication that holds
 * the permission's ID (or one implying it, or Jenkins.ADMINISTER's) as a granted authority.
 */
public abstract class ACL {

    public static final Authentication SYSTEM2 = new UsernamePasswordAuthenticationToken("SYSTEM", "SYSTEM", List.of());

    /** The stand-in's one ACL: decides from the current authentication's authorities. */
    public static final ACL CURRENT_AUTHORITIES = new ACL() {
        @Override
        public boolean hasPermission2(Authentication a, Permission p) {
            if (a == SYSTEM2) {
                return true;
            }
            for (Permission q = p; q != null; q = q.impliedBy) {
                String id = q.getId();
                if (a.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                        .anyMatch(g -> g.equals(id) || g.equals(Jenkins.ADMINISTER.getId()))) {
                    return true;
                }
            }
            return false;
        }
    };

    public abstract boolean hasPermission2(Authentication a, Permission permission);

    /** Acts as {@code auth} (in Spring Security's context) until the returned context is closed. */
    public static ACLContext as2(Authentication auth) {
        Authentication previous = SecurityContextHolder.getContext().getAuthentication();
        SecurityContextHolder.getContext().setAuthentication(auth);
        return new ACLContext(() -> SecurityContextHolder.getContext().setAuthentication(previous));
    }
}
