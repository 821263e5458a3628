/** Helpers shared by the reference application's packages; not part of any public API. */
package dev.nosqles.app.internal;
