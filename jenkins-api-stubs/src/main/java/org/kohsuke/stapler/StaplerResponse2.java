package org.kohsuke.stapler;

import jakarta.servlet.http.HttpServletResponse;

/** The response Stapler hands to Jenkins (Jakarta servlet API). Declared: none of Stapler's own additions. */
public interface StaplerResponse2 extends HttpServletResponse {
}
