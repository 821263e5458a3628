/**
 * Forgetting a person (GDPR crypto-shredding, ADR 0008): event types declare their personal fields
 * ({@link dev.nosqles.privacy.PersonalData}); those are encrypted with the subject's data key
 * ({@link dev.nosqles.privacy.SubjectKeys}) wherever they are stored; forgetting deletes the key.
 */
package dev.nosqles.privacy;
