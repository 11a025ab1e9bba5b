package io.jenkins.plugins.teleport.api;

/** The one error shape of the API: a stable {@code code} and a message that names the fix. */
public record ErrorResponse(ErrorCode code, String message) {}
