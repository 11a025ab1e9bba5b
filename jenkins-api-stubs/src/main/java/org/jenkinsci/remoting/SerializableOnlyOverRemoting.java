package org.jenkinsci.remoting;

import java.io.Serializable;

/** Serializable only over a remoting channel. */
public interface SerializableOnlyOverRemoting extends Serializable {
}
