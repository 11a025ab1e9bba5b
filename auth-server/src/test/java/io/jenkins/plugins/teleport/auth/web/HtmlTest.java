package io.jenkins.plugins.teleport.auth.web;

import static io.jenkins.plugins.teleport.auth.web.Html.el;
import static io.jenkins.plugins.teleport.auth.web.Html.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jenkins.plugins.teleport.auth.web.Html.Attrs;
import org.junit.jupiter.api.Test;

/** Data becomes HTML only escaped, and links made from data cannot run script. */
class HtmlTest {

    @Test
    void textAndAttributeValuesAreEscaped() {
        Html p = el("p", Attrs.of("title", "\"><script>alert(1)</script>"), text("<script>alert('x') & more</script>"));
        assertEquals("<p title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">&lt;script&gt;alert(&#39;x&#39;) &amp; more"
                + "&lt;/script&gt;</p>", p.toString());
    }

    @Test
    void aBuildUrlIsALinkOnlyWhenItIsAnHttpAddress() {
        assertEquals("<a href=\"https://ci.example.com/job/deploy/42/\" rel=\"noreferrer noopener\">build 42</a>",
                Html.externalLink("https://ci.example.com/job/deploy/42/", "build 42").toString());
        for (String evil : new String[] {"javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>x</script>",
                " https://x", "https://x\"onmouseover=alert(1)", "//evil.example.com"}) {
            assertEquals(Html.escape(evil), Html.externalLink(evil, evil).toString(), evil);
        }
    }

    @Test
    void codeCannotPutAnUnsafeAddressOrNameIntoAPage() {
        assertThrows(IllegalArgumentException.class, () -> Attrs.of("href", "javascript:alert(1)"));
        assertThrows(IllegalArgumentException.class, () -> Attrs.of("action", "//evil.example.com/steal"));
        assertThrows(IllegalArgumentException.class, () -> Attrs.of("onclick", "alert(1)"));
        assertThrows(IllegalArgumentException.class, () -> Attrs.of("style", "color: red"));
        assertThrows(IllegalArgumentException.class, () -> Attrs.of("a b", "c"));
        assertThrows(IllegalArgumentException.class, () -> el("scr ipt"));
        assertThrows(IllegalArgumentException.class, () -> el("input", Attrs.NONE, text("x")));
        assertEquals("<a href=\"/web/requests/1\">x</a>", el("a", Attrs.of("href", "/web/requests/1"), text("x")).toString());
    }
}
